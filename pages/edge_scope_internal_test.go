package pages

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// TestDecisionFormShowsScope: the decision form lists exactly what a
// violates decision covers, the reported URLs not hosted with us, the
// path prefix input with its meaning, and a prefix's problem.
func TestDecisionFormShowsScope(t *testing.T) {
	p := New(Deps{})
	cs := desk.CaseView{CaseID: "c1", Status: models.StatusAwaitingAnalyst}
	d := caseData{Case: cs, Suggested: suggested[cs.Status], Errors: fieldErrors{}, Scope: &desk.DecisionScope{
		Covered:   []models.Coverage{{EntityID: "https://pages.example/secure-bank/login.html", ObjectID: "site"}},
		NotHosted: []string{"https://elsewhere.example/y"}, Prefix: "https://pages.example/other/", Problem: "the scope prefix covers none of the reported URLs"}}
	var b bytes.Buffer
	require.NoError(t, p.tmpl["case"].ExecuteTemplate(&b, "layout.html", view{Title: "t", Data: d}))
	out := b.String()
	require.Contains(t, out, `<li class="mono">https://pages.example/secure-bank/login.html <span class="muted">(hosted object site)</span></li>`)
	require.Contains(t, out, `id="scope-not-hosted"`)
	require.Contains(t, out, "https://elsewhere.example/y")
	require.Contains(t, out, `name="scope_prefix"`)
	require.Contains(t, out, "restricts every URL that begins with it")
	require.Contains(t, out, `id="scope-problem">the scope prefix covers none of the reported URLs`)
	require.Contains(t, out, `id="scope-preview"`)
}
