package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is stamped by make release: -ldflags "-X main.version=v1.2.3".
// Zero: the module version go install records, or the commit go build
// records.
var version = ""

// versionString describes the program: version, Go release, platform.
func versionString() string {
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v += " " + s.Value[:12]
				}
			}
		}
	}
	return fmt.Sprintf("fcemulator %s (%s, %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
