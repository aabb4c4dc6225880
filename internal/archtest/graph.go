// Package archtest enforces the layering and size rules of docs/DESIGN.md
// ("Layers" and "Size rules") in tests, so that a wrong import or an
// overgrown function fails CI instead of waiting for a reviewer. The rule
// table lives in rules_test.go; this file holds the pure checker and the
// loader of the real import graph.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Graph is a module's import graph: each package of the module with its
// direct, non-test imports. Test files are left out on purpose: a test may
// reach across layers to set a scene (a server test opening a store).
type Graph struct {
	Module  string              // module path, what "~" stands for in patterns
	Imports map[string][]string // import path -> direct imports
}

// Rule forbids the packages matching From (minus Except) to import any
// package matching Deny (minus Allow).
//
// A pattern is an import path, "~" standing for the module path; a trailing
// "/..." also matches every package below it ("~/server/..." matches
// ~/server and ~/server/admin; "gorm.io/..." matches every gorm package).
type Rule struct {
	From   []string
	Except []string
	Deny   []string
	Allow  []string
	Reason string
}

// Violation is one import that a rule forbids.
type Violation struct {
	From, Import, Reason string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s imports %s: %s", v.From, v.Import, v.Reason)
}

// Check returns every import in g that a rule forbids, in a stable order
// (by importer, then import), one entry per importer, import and rule.
func Check(g Graph, rules []Rule) []Violation {
	var out []Violation
	for _, from := range sortedKeys(g.Imports) {
		for _, imp := range g.Imports[from] {
			for _, r := range rules {
				if r.forbids(g.Module, from, imp) {
					out = append(out, Violation{From: short(g.Module, from), Import: short(g.Module, imp), Reason: r.Reason})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].Import < out[j].Import
	})
	return out
}

// Unmatched returns the From patterns of rules that match no package of g:
// a rule that watches nothing (a typo, a renamed package) must not pass in
// silence.
func Unmatched(g Graph, rules []Rule) []string {
	var out []string
	for _, r := range rules {
		for _, p := range r.From {
			if strings.HasPrefix(p, "~/...") {
				continue
			}
			hit := false
			for pkg := range g.Imports {
				if match(g.Module, p, pkg) {
					hit = true
					break
				}
			}
			if !hit {
				out = append(out, p)
			}
		}
	}
	return out
}

func (r Rule) forbids(mod, from, imp string) bool {
	return matchAny(mod, r.From, from) && !matchAny(mod, r.Except, from) &&
		matchAny(mod, r.Deny, imp) && !matchAny(mod, r.Allow, imp)
}

func matchAny(mod string, patterns []string, path string) bool {
	for _, p := range patterns {
		if match(mod, p, path) {
			return true
		}
	}
	return false
}

func match(mod, pattern, path string) bool {
	if pattern == "~" || strings.HasPrefix(pattern, "~/") {
		pattern = mod + pattern[1:]
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

// short writes module packages as "~/pkg" so messages stay readable.
func short(mod, path string) string {
	if rest, ok := strings.CutPrefix(path, mod); ok && (rest == "" || rest[0] == '/') {
		return "~" + rest
	}
	return path
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ModuleRoot returns the directory and path of the module that dir is in.
func ModuleRoot(dir string) (root, module string, err error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}\n{{.Path}}")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m: %w%s", err, stderrOf(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return "", "", fmt.Errorf("go list -m: unexpected output %q", out)
	}
	return filepath.Clean(lines[0]), lines[1], nil
}

// LoadGraph lists every package of the module at root with its direct
// imports (go list -e, so that a package that does not compile still shows
// the imports its files declare).
func LoadGraph(root, module string) (Graph, error) {
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return Graph{}, fmt.Errorf("go list: %w%s", err, stderrOf(err))
	}
	g := Graph{Module: module, Imports: map[string][]string{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return Graph{}, fmt.Errorf("go list output: %w", err)
		}
		g.Imports[p.ImportPath] = p.Imports
	}
	return g, nil
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return ": " + strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}
