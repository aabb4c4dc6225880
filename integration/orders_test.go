package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

const (
	authorityKey      = "test-authority-key-bka-0123456789"
	otherAuthorityKey = "test-authority-key-arcom-0123456789"
)

// orderJSON is what GET /v1/orders/{id} answers (the parts checked).
type orderJSON struct {
	ID                 string     `json:"id"`
	Status             string     `json:"status"`
	ReceivedAt         time.Time  `json:"received_at"`
	Deadline           time.Time  `json:"deadline"`
	ReceiptConfirmedAt *time.Time `json:"receipt_confirmed_at"`
	EffectGivenAt      *time.Time `json:"effect_given_at"`
	DeadlineMet        *bool      `json:"deadline_met"`
	CustomerNotifiedAt *time.Time `json:"customer_notified_at"`
	Mitigations        []struct {
		ID        string   `json:"id"`
		Type      string   `json:"type"`
		Countries []string `json:"countries"`
		Status    string   `json:"status"`
	} `json:"mitigations"`
	Events []struct {
		Step string    `json:"step"`
		At   time.Time `json:"at"`
	} `json:"events"`
}

// TestAuthorityFilesTCOOrder: an authority's key files a removal order
// under Regulation (EU) 2021/784 for a CDN customer's URL. The authority
// gets the receipt, the legal block is in force in the named country at
// the edge and in the blocklist, the authority learns of the effect
// within the hour and the customer is told; another authority's key
// gets 404 for the order; a bad order is refused with every problem.
func TestAuthorityFilesTCOOrder(t *testing.T) {
	keys, err := json.Marshal([]config.APIKey{
		{Name: "authority-bka", Hash: config.HashKey(authorityKey), Role: "authority"},
		{Name: "authority-arcom", Hash: config.HashKey(otherAuthorityKey), Role: "authority"},
	})
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_API_KEYS": string(keys)}})

	received := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	body := map[string]any{
		"kind":                 "tco_removal",
		"authority":            map[string]any{"name": "Bundeskriminalamt", "contact": "tco@bka.example"},
		"member_state":         "DE",
		"legal_basis":          "Regulation (EU) 2021/784 Art. 3; § 129a StGB",
		"statement_of_reasons": "The video glorifies a terrorist attack and calls for further attacks.",
		"redress":              "Action before the Verwaltungsgericht Wiesbaden within one month.",
		"reference":            "BKA-TCO-2026-17",
		"urls":                 []string{"https://shop.example/media/attack.mp4"},
		"territorial_scope":    []string{"DE"},
		"received_at":          received.Format(time.RFC3339),
	}
	r := call(t, env, "POST", "/v1/orders", authorityKey, nil, body)
	require.Equal(t, http.StatusCreated, r.Code, string(r.Body))
	var o orderJSON
	r.JSON(t, &o)
	require.NotEmpty(t, o.ID)
	require.Equal(t, received.Add(time.Hour), o.Deadline.UTC(), "one hour from receipt (TCO Art. 3(3))")

	// Receipt and effect to the authority's contact.
	waitMail(t, env, "tco@bka.example", o.ID, 2)
	mails := mailFor(env, "tco@bka.example", o.ID)
	require.Contains(t, mails[0].Subject, "Receipt")
	require.Contains(t, mails[0].Body, "within one hour of receipt")
	require.Contains(t, mails[1].Subject, "Effect given")
	require.Contains(t, mails[1].Body, "https://shop.example/media/attack.mp4")
	require.Contains(t, mails[1].Body, "in DE")
	// The customer is told of the order, the effect and its redress.
	cust := waitMail(t, env, "webmaster@shop.example", o.ID, 1)
	require.Contains(t, cust[0].Body, "Verwaltungsgericht Wiesbaden")

	require.Eventually(t, func() bool {
		o = getOrder(t, env, authorityKey, o.ID, http.StatusOK)
		return o.CustomerNotifiedAt != nil
	}, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, "effect_given", o.Status)
	require.NotNil(t, o.EffectGivenAt)
	require.LessOrEqual(t, o.EffectGivenAt.Sub(received), time.Hour)
	require.NotNil(t, o.DeadlineMet)
	require.True(t, *o.DeadlineMet)
	require.NotNil(t, o.ReceiptConfirmedAt)
	require.Len(t, o.Mitigations, 1)
	require.Equal(t, "legal_block", o.Mitigations[0].Type)
	require.Equal(t, []string{"DE"}, o.Mitigations[0].Countries)
	require.Equal(t, "active", o.Mitigations[0].Status)
	var steps []string
	for _, e := range o.Events {
		steps = append(steps, e.Step)
	}
	require.Equal(t, []string{"received", "receipt", "effect", "customer"}, steps)

	// The blocklist carries the legal block with its country; the edge
	// answers 451 in Germany only.
	bl := call(t, env, "GET", "/v1/blocklist", "", nil, nil)
	require.Equal(t, http.StatusOK, bl.Code)
	require.Contains(t, string(bl.Body), o.Mitigations[0].ID)
	var list struct {
		Blocks []map[string]any `json:"blocks"`
	}
	bl.JSON(t, &list)
	found := false
	for _, b := range list.Blocks {
		if b["mitigation_id"] == o.Mitigations[0].ID {
			found = true
			require.Equal(t, "legal_block", b["type"])
			require.Contains(t, fmt.Sprint(b["countries"]), "DE")
		}
	}
	require.True(t, found, "the legal block is in the blocklist: %s", bl.Body)
	require.Equal(t, http.StatusUnavailableForLegalReasons,
		call(t, env, "GET", "/edge/shop.example/media/attack.mp4?country=DE", "", nil, nil).Code)
	require.Equal(t, http.StatusOK,
		call(t, env, "GET", "/edge/shop.example/media/attack.mp4?country=FR", "", nil, nil).Code)

	// Another authority does not see it; the admin and auditors do.
	getOrder(t, env, otherAuthorityKey, o.ID, http.StatusNotFound)
	getOrder(t, env, testenv.AdminKey, o.ID, http.StatusOK)
	getOrder(t, env, testenv.AuditorKey, o.ID, http.StatusOK)
	require.Equal(t, http.StatusForbidden, call(t, env, "GET", "/v1/orders", authorityKey, nil, nil).Code)
	require.Equal(t, http.StatusForbidden, call(t, env, "POST", "/v1/orders", testenv.AnalystKey, nil, body).Code)
	lr := call(t, env, "GET", "/v1/orders", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, lr.Code, string(lr.Body))
	require.Contains(t, string(lr.Body), o.ID)

	// A bad order: every problem, by field.
	bad := map[string]any{
		"kind": "fatwa", "authority": map[string]any{"name": "", "contact": "not-an-email"}, "member_state": "XX",
		"legal_basis": "", "statement_of_reasons": strings.Repeat("x", 5001), "urls": []string{"ftp://x.example/a"},
		"territorial_scope": []string{"DE", "Germany"}, "received_at": time.Now().Add(time.Hour).Format(time.RFC3339),
	}
	p := refused(t, call(t, env, "POST", "/v1/orders", authorityKey, nil, bad), http.StatusUnprocessableEntity)
	require.Equal(t, []string{"kind", "authority.name", "authority.contact", "member_state", "legal_basis",
		"statement_of_reasons", "urls[0]", "territorial_scope[1]", "received_at"}, p.Fields())

	// The transparency report counts it.
	tr := call(t, env, "GET", "/v1/transparency", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, tr.Code, string(tr.Body))
	require.Contains(t, string(tr.Body), `"by_member_state":{"DE":1}`)
	require.Contains(t, string(tr.Body), `"type_of_illegal_content":"terrorist_content"`)
}

func getOrder(t *testing.T, env *testenv.Env, key, id string, code int) orderJSON {
	t.Helper()
	r := call(t, env, "GET", "/v1/orders/"+id, key, nil, nil)
	require.Equal(t, code, r.Code, string(r.Body))
	var o orderJSON
	if code == http.StatusOK {
		r.JSON(t, &o)
	}
	return o
}
