package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/internal/jsondoc"
	"github.com/abusedesk/abusedesk/models"
)

// decodeStrict decodes JSON refusing unknown fields and fields named twice,
// naming the field.
func decodeStrict(body []byte, v any) error {
	if dups := duplicateKeys(body); len(dups) > 0 {
		return desk.Problems(desk.KindBadRequest, dups)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return fail(http.StatusBadRequest, strings.Trim(f, `"`), "unknown field")
		}
		return fail(http.StatusBadRequest, "body", "not valid JSON for this endpoint: %v", err)
	}
	return nil
}

// duplicateKeys lists every key that a JSON body names twice in one object,
// at any depth. encoding/json would keep the last ("category":"phishing",
// "category":"csam" reads as CSAM) while another reader keeps the first, so
// such a body is refused.
func duplicateKeys(body []byte) []models.FieldError {
	dups, _ := jsondoc.Duplicates(body)
	var errs []models.FieldError
	for _, f := range dups {
		errs = append(errs, models.FieldError{Field: f, Message: f + " appears more than once in its object; send each field once"})
	}
	return errs
}
