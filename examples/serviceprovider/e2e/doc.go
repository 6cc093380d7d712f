// Package e2e drives the example service provider in a real browser:
// headless Chromium through chromedriver, spoken to with the W3C WebDriver
// protocol on the standard library only. One journey runs the site as a
// FranceConnect+ FS, whose login calls the example data provider and shows
// its answer, another with FC_PLATFORM=proconnect as a ProConnect
// FS, and one more runs it with its two doors, FranceConnect+ for citizens
// and ProConnect for agents; another walks through the pages above a
// door's level there, with their step-ups (levels_test.go).
//
// Every page a journey reaches (journey.waitFor) goes through the page
// checks of a11y_test.go once: axe-core, run in the page with its default
// rules, and a reflow check at 320 CSS pixels wide (no sideways scrolling).
// A journey calls journey.checkPage to check the current page again after
// a change without navigation. A failing page is reported with t.Errorf
// and a readable list of rules and elements, and the journey goes on;
// build/e2e/a11y.txt keeps each page's verdict. A test that serves its own
// site starts its browser with startBrowser (errorpages_test.go does, for
// fchttp's default error pages).
//
// The test is behind the e2e build tag so that `make test` needs no browser.
// Run it with `make e2e`, which installs Debian's chromium and chromium-driver
// packages when they are missing, and axe-core with npm into build/axe
// (AXE_JS); the screenshots go to build/e2e/.
package e2e
