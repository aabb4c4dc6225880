package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// decodeStrict decodes JSON refusing unknown fields, naming the field.
func decodeStrict(body []byte, v any) error {
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
