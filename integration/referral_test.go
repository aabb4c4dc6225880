package integration

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// referralCase is what GET /v1/cases/{id} answers of a case's emergency
// flag and referrals.
type referralCase struct {
	Emergency bool `json:"emergency"`
	Referrals []struct {
		MemberState string     `json:"member_state"`
		Authority   string     `json:"authority"`
		By          string     `json:"by"`
		RequestedAt time.Time  `json:"requested_at"`
		SentAt      *time.Time `json:"sent_at"`
	} `json:"referrals"`
}

// TestEmergencyReportReferredToAuthority (DSA Art. 18): a report of an
// immediate danger is flagged and sorts before older ordinary cases; the
// analyst refers it to the German authority configured in
// threat_authorities; the authority receives one mail with what the desk
// has (the report, the reporter's contact, the URL, the customer and
// origin, the times); the case shows the referral with its times, and the
// audit log has it. The same referral again sends nothing; a member state
// without an authority is refused naming the configured ones.
func TestEmergencyReportReferredToAuthority(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_THREAT_AUTHORITIES": "DE=lka@polizei.example,FR=pharos@interieur.example"}})
	r0 := call(t, env, "POST", "/v1/reports", "", nil, map[string]any{"category": "violent_threat", "urls": []string{"https://pages.example/older"},
		"description": "An older threat report.", "reporter": map[string]any{"name": "Olga", "email": "olga@reporter.example"}})
	require.Equal(t, http.StatusAccepted, r0.Code, string(r0.Body))
	var ordinary testenv.Created
	r0.JSON(t, &ordinary)
	urgent := env.File(map[string]any{"category": "violent_threat", "urls": []string{"https://pages.example/threat"},
		"description": "The page announces an attack on the Goethe school on Monday.", "emergency": true,
		"reporter": map[string]any{"name": "Rita Reporter", "email": "rita@reporter.example", "organization": "Parents' council"}})

	var rc referralCase
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+urgent.CaseID, testenv.AnalystKey, nil, &rc))
	require.True(t, rc.Emergency)
	var list struct {
		Cases []struct {
			CaseID    string `json:"case_id"`
			Emergency bool   `json:"emergency"`
		} `json:"cases"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases?status=open&category=violent_threat", testenv.AnalystKey, nil, &list))
	require.GreaterOrEqual(t, len(list.Cases), 2)
	require.Equal(t, urgent.CaseID, list.Cases[0].CaseID, "the emergency sorts first")
	require.True(t, list.Cases[0].Emergency)
	require.Equal(t, ordinary.CaseID, list.Cases[1].CaseID)

	path := "/v1/cases/" + urgent.CaseID + "/referrals"
	require.Equal(t, http.StatusForbidden, call(t, env, "POST", path, testenv.AuditorKey, nil, map[string]any{"member_state": "DE", "suspicion": "x"}).Code)
	p := refused(t, call(t, env, "POST", path, testenv.AnalystKey, nil, map[string]any{"member_state": "IT"}), http.StatusUnprocessableEntity)
	require.Equal(t, []string{"member_state", "suspicion"}, p.Fields())
	require.Contains(t, p.Errors[0].Message, "configured: DE, FR")

	suspicion := "The page names a school and a date for an attack; a threat to the life of pupils (§ 126 StGB)."
	r := call(t, env, "POST", path, testenv.AnalystKey, nil, map[string]any{"member_state": "de", "suspicion": suspicion, "urgent": true})
	require.Equal(t, http.StatusCreated, r.Code, string(r.Body))

	mails := waitMail(t, env, "lka@polizei.example", urgent.CaseID, 1)
	m := mails[0]
	require.Contains(t, m.Subject, "URGENT")
	for _, want := range []string{"Article 18(1) of Regulation (EU) 2022/2065", suspicion, "analyst-alice",
		"https://pages.example/threat", "attack on the Goethe school", "Rita Reporter <rita@reporter.example>",
		"Parents' council", "pages.example", "Pages Customer (acct-hosted)", "192.0.2.30", "pages-site-1",
		"someone's life or safety is in immediate danger"} {
		require.Contains(t, m.Body, want)
	}
	require.Empty(t, mailFor(env, "pharos@interieur.example", urgent.CaseID), "only the member state named")

	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+urgent.CaseID, testenv.AnalystKey, nil, &rc))
		return len(rc.Referrals) == 1 && rc.Referrals[0].SentAt != nil
	}, caseWait, 100*time.Millisecond)
	ref := rc.Referrals[0]
	require.Equal(t, "DE", ref.MemberState)
	require.Equal(t, "lka@polizei.example", ref.Authority)
	require.Equal(t, "analyst-alice", ref.By)
	require.False(t, ref.SentAt.Before(ref.RequestedAt))
	require.WithinDuration(t, time.Now(), ref.RequestedAt, time.Minute)

	var entries struct {
		Entries []struct {
			Actor string `json:"actor"`
			Kind  string `json:"kind"`
		} `json:"entries"`
	}
	call(t, env, "GET", "/v1/audit/entries?case_id="+urgent.CaseID, testenv.AuditorKey, nil, nil).JSON(t, &entries)
	kinds := map[string]string{}
	for _, e := range entries.Entries {
		kinds[e.Kind] = e.Actor
	}
	require.Equal(t, "analyst-alice", kinds["referral"])
	require.Equal(t, "system", kinds["referral_sent"])

	// Asked again: the referral made, nothing sent twice.
	again := call(t, env, "POST", path, testenv.AnalystKey, nil, map[string]any{"member_state": "DE", "suspicion": "again"})
	require.Equal(t, http.StatusOK, again.Code, string(again.Body))
	require.Contains(t, string(again.Body), `"by":"analyst-alice"`)
	time.Sleep(time.Second)
	require.Len(t, mailFor(env, "lka@polizei.example", urgent.CaseID), 1)
}
