package archtest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Layer groups of docs/DESIGN.md "Layers" (patterns as in Rule).
var (
	frontEnds = []string{"~/server/...", "~/pages/..."}
	useCases  = []string{"~/desk/...", "~/intake/...", "~/statements/...", "~/audit/...", "~/transparency/..."}
	gormPkgs  = "gorm.io/..."
	echoPkgs  = "github.com/labstack/echo/..."
)

// rules is the import table of docs/DESIGN.md "Layers": one row per rule,
// each with the reason a reader of a failure needs. Only direct, non-test
// imports count (see Graph).
var rules = []Rule{
	{From: []string{"~/server/..."}, Deny: []string{gormPkgs, "~/activities/...", "~/workflows/...", "~/store/...", "~/pages/..."},
		Reason: "server is the JSON front end: it calls the use cases in desk, which own storage and Temporal"},
	{From: []string{"~/pages/..."}, Deny: []string{gormPkgs, "~/activities/...", "~/workflows/...", "~/store/...", "~/server/..."},
		Reason: "pages is the HTML front end: it calls the use cases in desk, never the JSON server or the layers below"},
	{From: useCases, Deny: slices.Concat(frontEnds, []string{"~/app/...", echoPkgs}),
		Reason: "use cases know no transport: the front ends call them, not the other way round"},
	{From: []string{"~/workflows/..."}, Deny: []string{gormPkgs, "~/store/...", "~/server/...", "~/pages/...", "~/desk/...", "~/app/...", "net/http", "database/sql"},
		Reason: "workflows are deterministic orchestration: every side effect goes through an activity"},
	{From: []string{"~/activities/..."}, Deny: []string{"~/server/...", "~/pages/...", "~/desk/...", "~/app/...", "~/workflows/..."},
		Reason: "activities are the side effects the workflows call; workflows import activities, never the reverse"},
	{From: []string{"~/worker/..."}, Deny: []string{"~/server/...", "~/pages/...", "~/desk/...", "~/app/...", "~/store/..."},
		Reason: "worker only registers workflows and activities under their stable names"},
	{From: []string{"~/store/..."}, Deny: []string{"~/server/...", "~/pages/...", "~/desk/...", "~/app/...", "~/workflows/...", "~/activities/..."},
		Reason: "store is the data layer: it knows models, not who calls it"},
	{From: []string{"~/models/..."}, Deny: []string{"~/..."}, Allow: []string{"~/internal/..."},
		Reason: "models is the shared vocabulary at the bottom: everyone imports it, it imports no abusedesk package"},
	{From: []string{"~/mailintake/..."}, Deny: []string{gormPkgs, "~/intake/...", "~/desk/...", "~/store/...", "~/workflows/...", "~/activities/...", "~/server/...", "~/pages/...", "~/app/..."},
		Reason: "mailintake parses mail and listens for SMTP; it hands reports to the Submitter its caller provides"},
	{From: []string{"~/..."}, Except: []string{"~/app/...", "~/cmd/...", "~/internal/testenv/..."}, Deny: []string{"~/app/..."},
		Reason: "app is the composition root: only the binary (cmd) and the test harness (internal/testenv) build it"},
	{From: []string{"~/..."}, Except: []string{"~/cmd/..."}, Deny: []string{"~/cmd/..."},
		Reason: "cmd holds main packages: nothing imports them"},
}

// TestImportRules checks the module's real import graph against rules.
func TestImportRules(t *testing.T) {
	root, mod, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGraph(root, mod)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Imports) < 10 {
		t.Fatalf("go list found only %d packages in %s: the graph is not the module's", len(g.Imports), root)
	}
	for _, p := range Unmatched(g, rules) {
		t.Errorf("rule pattern %s matches no package: fix the rule table in internal/archtest/rules_test.go", p)
	}
	for _, v := range Check(g, rules) {
		t.Errorf("%s (docs/DESIGN.md \"Layers\")", v)
	}
}

// TestSyntheticWrongImport is the demonstration that the rule test fails on
// a deliberately wrong import: a graph in which server imports gorm (and
// pages imports server) must be reported, and the clean graph must not.
func TestSyntheticWrongImport(t *testing.T) {
	const mod = "example.org/m"
	clean := Graph{Module: mod, Imports: map[string][]string{
		mod + "/server":     {"net/http", "github.com/labstack/echo/v4", mod + "/desk", mod + "/models"},
		mod + "/pages":      {"html/template", mod + "/desk"},
		mod + "/desk":       {mod + "/store", mod + "/workflows", mod + "/models"},
		mod + "/workflows":  {"go.temporal.io/sdk/workflow", mod + "/activities", mod + "/models"},
		mod + "/activities": {"gorm.io/gorm", "net/http", mod + "/models"},
		mod + "/store":      {"gorm.io/gorm", mod + "/models"},
		mod + "/models":     {"time", mod + "/internal/urlnorm"},
		mod + "/app":        {mod + "/server", mod + "/pages", mod + "/desk"},
		mod + "/cmd/x":      {mod + "/app"},
	}}
	if v := Check(clean, rules); len(v) != 0 {
		t.Fatalf("clean graph reported: %v", v)
	}

	wrong := Graph{Module: mod, Imports: map[string][]string{}}
	for k, v := range clean.Imports {
		wrong.Imports[k] = slices.Clone(v)
	}
	wrong.Imports[mod+"/server"] = append(wrong.Imports[mod+"/server"], "gorm.io/gorm")
	wrong.Imports[mod+"/pages"] = append(wrong.Imports[mod+"/pages"], mod+"/server")
	got := Check(wrong, rules)
	want := []string{"~/pages imports ~/server", "~/server imports gorm.io/gorm"}
	if len(got) != len(want) {
		t.Fatalf("got %d violations %v, want %d: %v", len(got), got, len(want), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i].String(), w+": ") || got[i].Reason == "" {
			t.Errorf("violation %d = %q, want %q with its reason", i, got[i], w)
		}
	}
}

// TestUnitRulePatterns pins the pattern language: "/..." takes the package
// and those below it but no package that merely shares a prefix; Except and
// Allow carve out of From and Deny.
func TestUnitRulePatterns(t *testing.T) {
	const mod = "example.org/m"
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"~/server/...", mod + "/server", true},
		{"~/server/...", mod + "/server/admin", true},
		{"~/server/...", mod + "/serverless", false},
		{"~/server", mod + "/server/admin", false},
		{"gorm.io/...", "gorm.io/driver/postgres", true},
		{"net/http", "net/http/httptest", false},
		{"~/...", mod, true},
		{"~/...", "example.org/mother", false},
	} {
		if got := match(mod, tc.pattern, tc.path); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}

	r := []Rule{{From: []string{"~/..."}, Except: []string{"~/cmd/..."}, Deny: []string{"~/..."}, Allow: []string{"~/internal/..."}, Reason: "r"}}
	g := Graph{Module: mod, Imports: map[string][]string{
		mod + "/a":     {mod + "/internal/x", mod + "/b", "fmt"},
		mod + "/cmd/c": {mod + "/a"},
	}}
	got := Check(g, r)
	if len(got) != 1 || got[0].From != "~/a" || got[0].Import != "~/b" {
		t.Errorf("Check = %v, want only ~/a imports ~/b", got)
	}
	if u := Unmatched(Graph{Module: mod, Imports: g.Imports}, []Rule{{From: []string{"~/desk/..."}}}); len(u) != 1 {
		t.Errorf("Unmatched = %v, want the desk pattern", u)
	}
}

// TestSyntheticModuleWrongImport runs the real loader (go list) over a
// small module written for the test, whose workflows import net/http and
// whose server imports store: both must be reported, through the same
// path TestImportRules takes.
func TestSyntheticModuleWrongImport(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":         "module example.org/m\n\ngo 1.21\n",
		"store/s.go":     "package store\n",
		"workflows/w.go": "package workflows\n\nimport _ \"net/http\"\n",
		"server/s.go":    "package server\n\nimport _ \"example.org/m/store\"\n",
		"desk/d.go":      "package desk\n\nimport _ \"example.org/m/store\"\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g, err := LoadGraph(dir, "example.org/m")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range Check(g, rules) {
		got = append(got, v.From+" imports "+v.Import)
	}
	want := []string{"~/server imports ~/store", "~/workflows imports net/http"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("violations %q, want %q", got, want)
	}
}
