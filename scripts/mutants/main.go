// Command mutants proves that the test suite notices when a check is
// switched off. For each mutant of mutants.go it copies the module to a
// temporary directory, replaces the check by its disabled form, runs the
// tests of the packages concerned, and expects them to fail. It prints one
// line per mutant, "killed" or "SURVIVED", and exits 1 if any survived or
// could not be applied (the code it expects to find has changed).
//
// Usage, from the module root (make mutants):
//
//	go run ./scripts/mutants [-run regexp] [-j workers]
//
// With -j above 1 (the default is the number of CPUs), each worker has its
// own copy of the module and takes the next mutant; lines are printed in
// the order the mutants finish.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// A mutant switches one check off: in file, each edit replaces text that
// must occur exactly once.
type mutant struct {
	name  string
	file  string
	edits [][2]string // original, replacement
	pkgs  []string    // packages whose tests must fail; zero: the root package
}

func main() {
	only := flag.String("run", "", "only the mutants whose name matches this regexp")
	workers := flag.Int("j", runtime.NumCPU(), "mutants tried at once, each in its own copy of the module")
	flag.Parse()
	filter, err := regexp.Compile(*only)
	if err != nil {
		fail(err)
	}
	var todo []mutant
	for _, m := range mutants {
		if filter.MatchString(m.name) {
			todo = append(todo, m)
		}
	}
	dirs := make([]string, max(1, min(*workers, len(todo))))
	for i := range dirs {
		if dirs[i], err = os.MkdirTemp("", "mutants-"); err != nil {
			fail(err)
		}
		defer os.RemoveAll(dirs[i])
		if err := copyModule(".", dirs[i]); err != nil {
			fail(err)
		}
	}
	if out, err := goTest(dirs[0], baseline(filter)); err != nil {
		fail(fmt.Errorf("the unmodified tests fail:\n%s", out))
	}
	next := make(chan mutant)
	go func() {
		for _, m := range todo {
			next <- m
		}
		close(next)
	}()
	var (
		mu  sync.Mutex
		bad int
		wg  sync.WaitGroup
	)
	for _, dir := range dirs {
		wg.Go(func() {
			for m := range next {
				start := time.Now()
				verdict, err := m.try(dir)
				if err != nil {
					verdict = "ERROR " + err.Error()
				}
				mu.Lock()
				if verdict != "killed" {
					bad++
				}
				fmt.Printf("%-9s %-58s %s\n", verdict, m.name, time.Since(start).Round(time.Second))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if bad > 0 {
		fmt.Printf("%d mutant(s) survived or could not be applied\n", bad)
		os.Exit(1)
	}
	fmt.Printf("%d mutants, all killed\n", len(todo))
}

// baseline returns every package whose tests the selected mutants run: they
// must pass unmodified, or a failure would count as a kill.
func baseline(filter *regexp.Regexp) []string {
	pkgs := []string{"."}
	for _, m := range mutants {
		if filter.MatchString(m.name) {
			for _, p := range m.pkgs {
				if !slices.Contains(pkgs, p) {
					pkgs = append(pkgs, p)
				}
			}
		}
	}
	return pkgs
}

// try applies m in dir, runs the tests and restores the file.
func (m mutant) try(dir string) (string, error) {
	path := filepath.Join(dir, m.file)
	orig, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	mutated := string(orig)
	for _, e := range m.edits {
		if n := strings.Count(mutated, e[0]); n != 1 {
			return "", fmt.Errorf("%s: %q found %d times, want once", m.file, e[0], n)
		}
		mutated = strings.Replace(mutated, e[0], e[1], 1)
	}
	if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
		return "", err
	}
	defer os.WriteFile(path, orig, 0o644)
	pkgs := m.pkgs
	if pkgs == nil {
		pkgs = []string{"."}
	}
	if out, err := goTest(moduleDir(dir, m.file), pkgs); err == nil {
		return "SURVIVED", nil
	} else if strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]") {
		return "", fmt.Errorf("the mutant does not build:\n%s", out)
	}
	return "killed", nil
}

// moduleDir is the directory of the module file belongs to in dir: the
// root, or a module of its own such as fchttp/redisstore.
func moduleDir(dir, file string) string {
	for d := filepath.Dir(file); d != "." && d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(dir, d, "go.mod")); err == nil {
			return filepath.Join(dir, d)
		}
	}
	return dir
}

// goTest runs the tests of pkgs in dir, stopping at the first failure.
func goTest(dir string, pkgs []string) (string, error) {
	cmd := exec.Command("go", append([]string{"test", "-count=1", "-failfast"}, pkgs...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// copyModule copies the Go files, test data and module files of src to dst,
// with their permissions.
func copyModule(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != src && (strings.HasPrefix(d.Name(), ".") || d.Name() == "build") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, path), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, path), b, info.Mode().Perm()) // scripts the tests run stay executable
	})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mutants:", err)
	os.Exit(2)
}
