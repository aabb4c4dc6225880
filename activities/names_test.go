package activities_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"

	"github.com/abusedesk/abusedesk/activities"
)

// actConstants reads the Act* name constants of names.go.
func actConstants(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "names.go", nil, 0)
	require.NoError(t, err)
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Act") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok, "%s must be a string literal", n.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				out[n.Name] = v
			}
		}
	}
	return out
}

// Every activity method is registered under a stable name constant, each
// name once, and each constant names a registered activity.
func TestEveryActivityHasAStableName(t *testing.T) {
	consts := actConstants(t)
	require.NotEmpty(t, consts)
	byValue := map[string]string{}
	for c, v := range consts {
		require.NotEmpty(t, v, c)
		other, dup := byValue[v]
		require.False(t, dup, "constants %s and %s both name %q", c, other, v)
		byValue[v] = c
	}

	named := activities.Named(&activities.Activities{})
	registered := map[string]string{} // Go method -> stable name
	for name, fn := range named {
		_, ok := byValue[name]
		require.True(t, ok, "activity registered as %q, which is no Act* constant", name)
		method := goMethodName(fn)
		prev, dup := registered[method]
		require.False(t, dup, "method %s registered twice (%q and %q)", method, prev, name)
		registered[method] = name
	}
	require.Len(t, named, len(consts), "every Act* constant names one registered activity")

	typ := reflect.TypeOf(&activities.Activities{})
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i).Name
		_, ok := registered[m]
		require.True(t, ok, "(*Activities).%s is not registered under a name constant (activities/names.go)", m)
	}
	require.Equal(t, typ.NumMethod(), len(registered))
}

// goMethodName is the Go name of the method behind a method value.
func goMethodName(fn any) string {
	full := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	full = strings.TrimSuffix(full, "-fm")
	return full[strings.LastIndex(full, ".")+1:]
}

// Register puts every activity on the registrar under its constant.
func TestRegisterUsesTheConstants(t *testing.T) {
	r := &recordingRegistrar{}
	activities.Register(r, &activities.Activities{})
	require.ElementsMatch(t, []string{activities.ActSendNotice, activities.ActClassify, activities.ActSetStatus,
		activities.ActRecordDecision, activities.ActDisableObjects, activities.ActRestoreObjects, activities.ActRemoveObjects,
		activities.ActRecordStrike, activities.ActSetDomainStatus, activities.ActFileClearinghouseReport,
		activities.ActAccountHistory, activities.ActTerminateAccount, activities.ActSetReviewStatus,
		activities.ActErasePersonalData, activities.ActRecordBounce, activities.ActHandleBouncedNotice,
		activities.ActApplyMitigation, activities.ActChangeMitigation,
		activities.ActResolveOrder, activities.ActRecordOrderStep, activities.ActSendOrderNotice,
		activities.ActFindIdenticalCopies, activities.ActEscalateCase,
		activities.ActRecordReferral, activities.ActSendReferralNotice, activities.ActRecordReferralSent,
		activities.ActSendNotices, activities.ActClassifyForward}, r.names)
}

type recordingRegistrar struct{ names []string }

func (r *recordingRegistrar) RegisterActivityWithOptions(_ interface{}, o activity.RegisterOptions) {
	r.names = append(r.names, o.Name)
}
