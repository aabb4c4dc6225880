package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoHiddenWiring: the composition root wires everything in Start.
// None of its files has an init() (which would register parts or change
// other packages behind Start's back), and it exports no package-level
// variable another package could set.
func TestNoHiddenWiring(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		checked++
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				require.False(t, d.Recv == nil && d.Name.Name == "init", "%s: func init", fset.Position(d.Pos()))
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						require.False(t, n.IsExported(), "%s: exported variable %s", fset.Position(n.Pos()), n.Name)
					}
				}
			}
		}
	}
	require.Greater(t, checked, 5)
}
