// Package e2e drives the example service provider in a real browser:
// headless Chromium through chromedriver, spoken to with the W3C WebDriver
// protocol on the standard library only. One journey runs the site as a
// FranceConnect+ FS, another with FC_PLATFORM=proconnect as a ProConnect
// FS, and one more runs it with its two doors, FranceConnect+ for citizens
// and ProConnect for agents.
//
// The test is behind the e2e build tag so that `make test` needs no browser.
// Run it with `make e2e`, which installs Debian's chromium and chromium-driver
// packages when they are missing; the screenshots go to build/e2e/.
package e2e
