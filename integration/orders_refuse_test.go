package integration

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestAdminRecordsOrdersThatCannotBeGivenEffect: an admin transcribes two
// orders received by post. One lacks the redress information a DSA Art. 9
// order must carry, the other is a TCO removal order about fraud (a
// manifest error). Both are stored (201), the authority gets the receipt
// and then, by mail, the reason in words, the detail and a request for
// clarification; GET shows refused with reason and detail; nothing is
// restricted; the transparency report still counts both as received.
func TestAdminRecordsOrdersThatCannotBeGivenEffect(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	received := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	order := func(kind, contentType, redress, contact string) map[string]any {
		return map[string]any{
			"kind": kind, "authority": map[string]any{"name": "Arcom", "contact": contact}, "member_state": "FR",
			"content_type": contentType, "legal_basis": "Regulation (EU) 2021/784 Art. 3; LCEN art. 6-1",
			"statement_of_reasons": "The page sells stolen card numbers.", "redress": redress, "reference": "ARCOM-2026-9",
			"urls": []string{"https://shop.example/media/attack.mp4"}, "territorial_scope": []string{"FR"},
			"received_at": received.Format(time.RFC3339),
		}
	}
	type refusedOrder struct {
		orderJSON
		RefusalReason string          `json:"refusal_reason"`
		RefusalDetail string          `json:"refusal_detail"`
		Mitigations   json.RawMessage `json:"mitigations"`
	}
	for _, tc := range []struct {
		name, contact, reason, words, detail string
		body                                 map[string]any
	}{
		{"insufficient information", "art9@arcom.example", "insufficient_information", "does not contain sufficient information",
			"redress: missing: the information on redress (Regulation (EU) 2022/2065 Art. 9(2)(a)(v))", order("dsa_art9", "scams_fraud", "", "art9@arcom.example")},
		{"manifest error", "tco@arcom.example", "manifest_error", "contains manifest errors",
			"content_type: a removal order under Regulation (EU) 2021/784 concerns terrorist content only", order("tco_removal", "scams_fraud", "Conseil d'Etat", "tco@arcom.example")},
	} {
		r := call(t, env, "POST", "/v1/orders", testenv.AdminKey, nil, tc.body)
		require.Equal(t, http.StatusCreated, r.Code, "%s: %s", tc.name, r.Body)
		var o orderJSON
		r.JSON(t, &o)

		mails := waitMail(t, env, tc.contact, o.ID, 2)
		require.Contains(t, mails[0].Subject, "Receipt")
		require.Contains(t, mails[1].Subject, "could not be given effect")
		require.Contains(t, mails[1].Body, "Reason: the order "+tc.words, tc.name)
		require.Contains(t, mails[1].Body, tc.detail, tc.name)
		require.Contains(t, mails[1].Body, "We ask you to clarify the order", tc.name)
		require.Contains(t, mails[1].Body, "ARCOM-2026-9", tc.name)

		var v refusedOrder
		require.Eventually(t, func() bool {
			g := call(t, env, "GET", "/v1/orders/"+o.ID, testenv.AdminKey, nil, nil)
			require.Equal(t, http.StatusOK, g.Code, string(g.Body))
			g.JSON(t, &v)
			return v.Status == "refused"
		}, 30*time.Second, 100*time.Millisecond, tc.name)
		require.Equal(t, tc.reason, v.RefusalReason)
		require.Contains(t, v.RefusalDetail, tc.detail)
		require.Nil(t, v.EffectGivenAt)
		require.JSONEq(t, `[]`, string(v.Mitigations), "nothing restricted")
	}
	tr := call(t, env, "GET", "/v1/transparency", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, tr.Code, string(tr.Body))
	require.Contains(t, string(tr.Body), `"by_member_state":{"FR":2}`)
	require.Contains(t, string(tr.Body), `"effect_given":0`)
}
