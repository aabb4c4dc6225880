package pages_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

const customerKey = "test-customer-key-0123456789"

// seedDashboard writes cases straight into the store (no workflow: the
// dashboard reads only the tables): today 3 api phishing (acted on after
// 1, 2 and 3 hours), 2 email malware, 1 xarf phishing, 1 form fraud;
// yesterday 2 api phishing. Open deadlines: one overdue, one in 5 h, one
// in 60 h; a closed case due in an hour does not count.
func seedDashboard(t *testing.T, env *testenv.Env) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	ptr := func(v time.Time) *time.Time { return &v }
	now := time.Now().UTC()
	var cases []models.Case
	add := func(id, source string, cat models.Category, created time.Time) *models.Case {
		// Marked started: the reconciler must not start workflows for
		// these rows (a case workflow would close them mid-test).
		cases = append(cases, models.Case{ID: id, Source: source, Category: cat, Priority: 1, Status: models.StatusClosed,
			Service: "hosting", Domain: "dash.example", CreatedAt: created, WorkflowStarted: true})
		return &cases[len(cases)-1]
	}
	for i := 1; i <= 3; i++ {
		add(fmt.Sprintf("dash-api-%d", i), "api", models.CategoryPhishing, today.Add(time.Second))
	}
	add("dash-email-1", "email", models.CategoryMalware, today.Add(time.Second))
	add("dash-email-2", "email", models.CategoryMalware, today.Add(time.Second))
	add("dash-xarf-1", "xarf", models.CategoryPhishing, today.Add(time.Second))
	add("dash-form-1", "form", models.CategoryFraud, today.Add(time.Second))
	add("dash-old-1", "api", models.CategoryPhishing, today.Add(-12*time.Hour))
	add("dash-old-2", "api", models.CategoryPhishing, today.Add(-12*time.Hour))
	due := func(i int, st models.Status, in time.Duration) {
		cases[i].Status, cases[i].NextDeadline = st, ptr(now.Add(in))
	}
	due(3, models.StatusAwaitingOperator, -2*time.Hour) // dash-email-1 overdue
	due(4, models.StatusAwaitingOperator, 5*time.Hour)  // dash-email-2
	due(5, models.StatusAwaitingAnalyst, 60*time.Hour)  // dash-xarf-1
	due(6, models.StatusClosed, time.Hour)              // dash-form-1: closed
	db := env.App.DB
	require.NoError(t, db.Create(&cases).Error)
	for i := 1; i <= 3; i++ {
		require.NoError(t, db.Create(&models.Decision{CaseID: fmt.Sprintf("dash-api-%d", i), Step: "decision-1", Verdict: "violates",
			Clause: "phishing_fraud", Analyst: "analyst-alice", CreatedAt: today.Add(time.Second + time.Duration(i)*time.Hour)}).Error)
	}
}

// sumN adds the data-n of the elements a selector finds.
func sumN(b *browser, sel string) string {
	return b.eval(`String(Array.from(document.querySelectorAll(` + "`" + sel + "`" + `)).reduce((s, e) => s + Number(e.dataset.n), 0))`)
}

// TestBrowserDashboard (issue 15): the analyst and the auditor see the
// dashboard's charts drawn from the seeded cases (bars per channel and
// category, time to first action, cases near their deadline, with links),
// each chart titled; a bad window is a 400 page; a customer key and a
// visitor without a session are sent to the sign-in page.
func TestBrowserDashboard(t *testing.T) {
	an := newBrowser(t, "analyst")
	keys := fmt.Sprintf(`[{"name":"shop","hash":"%s","role":"customer","account":"acct-1"}]`, config.HashKey(customerKey))
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_API_KEYS": keys}})
	an.base = env.URL
	seedDashboard(t, env)
	today := time.Now().UTC().Format(time.DateOnly)

	visitor := an.person("visitor")
	require.EqualValues(t, http.StatusOK, visitor.open("/console/dashboard"))
	require.Contains(t, visitor.location(), "/console/login", "no session: the sign-in page")

	signIn(an, testenv.AnalystKey)
	require.EqualValues(t, http.StatusOK, an.open("/console/dashboard"))
	for _, id := range []string{"chart-channels", "chart-categories", "chart-action", "chart-deadlines"} {
		require.NotEmpty(t, an.eval(`document.querySelector("#`+id+` > title").textContent`), "%s has a title", id)
	}
	require.Equal(t, "Reports per day by channel", an.eval(`document.getElementById("chart-channels-title").textContent`))
	require.Equal(t, "5", sumN(an, `#chart-channels rect[data-key="api"]`))
	require.Equal(t, "2", sumN(an, `#chart-channels rect[data-key="email"]`))
	require.Equal(t, "1", sumN(an, `#chart-channels rect[data-key="xarf"]`))
	require.Equal(t, "1", sumN(an, `#chart-channels rect[data-key="form"]`))
	require.Equal(t, "3", sumN(an, `#chart-channels rect[data-key="api"][data-day="`+today+`"]`))
	require.Equal(t, "30", an.eval(`String(new Set(Array.from(document.querySelectorAll("#chart-channels rect")).map(r => r.dataset.day)).size + 28)`),
		"bars on two days of the 30-day window")
	require.Equal(t, "6", sumN(an, `#chart-categories rect[data-key="phishing"]`))
	require.Equal(t, "2", sumN(an, `#chart-categories rect[data-key="malware"]`))
	require.Contains(t, an.text("#tile-reports"), "9")
	require.Equal(t, "api 5,email 2,form 1,xarf 1", an.eval(`Array.from(document.querySelectorAll("#h-channels + .chart-row .legend li")).map(li => li.textContent.trim().replace(/\s+/g, " ")).join(",")`))

	require.Equal(t, "2h 0m", an.text("#action-median"))
	require.Equal(t, "3h 0m", an.text("#action-p90"))
	require.Equal(t, "3 of 9", an.text("#action-acted"))
	require.Equal(t, "1", an.eval(`String(document.querySelectorAll('#chart-action rect.median[data-day="`+today+`"]').length)`))

	require.Equal(t, "1", an.eval(`document.querySelector("#chart-deadlines g.overdue").dataset.n`))
	require.Equal(t, "1", an.eval(`document.querySelector("#chart-deadlines g.due24").dataset.n`))
	require.Equal(t, "2", an.eval(`document.querySelector("#chart-deadlines g.due72").dataset.n`))
	require.Equal(t, "dash-email-1,dash-email-2,dash-xarf-1",
		an.eval(`Array.from(document.querySelectorAll("#deadline-cases tbody a")).map(a => a.textContent).join(",")`))
	require.Equal(t, "/console/cases/dash-email-1", an.eval(`document.querySelector("#deadline-cases tbody a").getAttribute("href")`))
	require.Contains(t, an.text("#deadline-cases tr.overdue"), "overdue 2h")
	an.shot("console-dashboard")
	an.phone("console-dashboard-phone")

	require.EqualValues(t, http.StatusBadRequest, an.open("/console/dashboard?days=91"))
	require.Contains(t, an.text("main"), "from 1 to 90")
	require.EqualValues(t, http.StatusBadRequest, an.open("/console/dashboard?days=week"))
	require.EqualValues(t, http.StatusOK, an.open("/console/dashboard?days=1"))
	require.Equal(t, "1", sumN(an, `#chart-channels rect[data-key="xarf"]`))
	require.Equal(t, "3", sumN(an, `#chart-channels rect[data-key="api"]`), "yesterday is outside a 1-day window")

	au := an.person("auditor")
	signIn(au, testenv.AuditorKey)
	require.EqualValues(t, http.StatusOK, au.open("/console/dashboard"))
	require.Equal(t, "5", sumN(au, `#chart-channels rect[data-key="api"]`))
	require.Equal(t, "/console/cases/dash-email-1/timeline", au.eval(`document.querySelector("#deadline-cases tbody a").getAttribute("href")`),
		"an auditor's links go to the timeline, which the role may read")

	shop := an.person("customer")
	shop.open("/console/login")
	shop.fill("#api_key", customerKey)
	require.EqualValues(t, http.StatusUnauthorized, shop.submit("form[action='/console/login'] button"))
	require.EqualValues(t, http.StatusOK, shop.open("/console/dashboard"))
	require.Contains(t, shop.location(), "/console/login", "a customer key has no console session")
	require.NotContains(t, shop.text("main"), "Reports per day")
}
