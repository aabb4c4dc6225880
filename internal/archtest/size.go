package archtest

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Size limits of docs/DESIGN.md "Size rules": a file past MaxFileLines is a
// sign it holds more than one role; a function past MaxFuncLines no longer
// reads as one step.
const (
	MaxFileLines = 400
	MaxFuncLines = 80
)

// LongMarker starts a line of a function's doc comment that explains why
// the function may exceed MaxFuncLines, e.g. "// long: one switch over
// every verdict reads better whole". The reason after the colon must not be
// empty.
const LongMarker = "long:"

// SizeFinding is one file or function over its limit.
type SizeFinding struct {
	File  string // slash path relative to the scanned root
	Line  int    // 1 for a whole file, else the line of the func keyword
	Func  string // "" for a whole file; "Name" or "(Recv).Name"
	Lines int
	Limit int
}

func (f SizeFinding) String() string {
	if f.Func == "" {
		return fmt.Sprintf("%s: %d lines (limit %d)", f.File, f.Lines, f.Limit)
	}
	return fmt.Sprintf("%s:%d: func %s is %d lines (limit %d; or give a reason in a %q line of its doc comment)",
		f.File, f.Line, f.Func, f.Lines, f.Limit, "// "+LongMarker+" ...")
}

// ScanSizes walks the non-test Go files under root, skipping what the go
// tool skips (testdata, vendor, directories starting with "." or "_") and
// generated files, and returns every file and function over its limit.
func ScanSizes(root string) ([]SizeFinding, error) {
	var out []SizeFinding
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "vendor" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		found, err := CheckFileSize(filepath.ToSlash(rel), src)
		out = append(out, found...)
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, err
}

// CheckFileSize applies the size rules to one source file. Generated files
// (the "Code generated ... DO NOT EDIT." line) are exempt.
func CheckFileSize(name string, src []byte) ([]SizeFinding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	if ast.IsGenerated(f) {
		return nil, nil
	}
	var out []SizeFinding
	if n := countLines(src); n > MaxFileLines {
		out = append(out, SizeFinding{File: name, Line: 1, Lines: n, Limit: MaxFileLines})
	}
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		start := fset.Position(fd.Pos()).Line
		n := fset.Position(fd.End()).Line - start + 1
		if n > MaxFuncLines && !hasLongReason(fd.Doc) {
			out = append(out, SizeFinding{File: name, Line: start, Func: funcName(fd), Lines: n, Limit: MaxFuncLines})
		}
	}
	return out, nil
}

// hasLongReason reports whether the doc comment has a "// long: <reason>"
// line with a non-empty reason.
func hasLongReason(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
		if reason, ok := strings.CutPrefix(text, LongMarker); ok && strings.TrimSpace(reason) != "" {
			return true
		}
	}
	return false
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return "(" + id.Name + ")." + fd.Name.Name
	}
	return fd.Name.Name
}

// countLines counts lines as wc -l does, plus a last line without newline.
func countLines(src []byte) int {
	n := bytes.Count(src, []byte("\n"))
	if len(src) > 0 && src[len(src)-1] != '\n' {
		n++
	}
	return n
}
