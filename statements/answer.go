package statements

// How the Transparency Database answers a batch (stored ids, refusals),
// read by Submitter.post.

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// stored reads the remote ids of a stored batch: {"statements": [{"uuid"
// or "id", "puid"}, ...]}, matched by puid, else by position.
func stored(raw []byte, batch []Statement, out outcome) {
	var ans struct {
		Statements []map[string]any `json:"statements"`
	}
	_ = json.Unmarshal(raw, &ans)
	byPUID := map[string]string{}
	for i, it := range ans.Statements {
		id := remoteID(it)
		if p, ok := it["puid"].(string); ok {
			byPUID[p] = id
		} else if i < len(batch) {
			byPUID[batch[i].PUID] = id
		}
	}
	for _, st := range batch {
		out.stored[st.ID] = byPUID[st.PUID]
	}
}

// statementKey finds the batch position in an error key: "statement_3",
// "statements.3.puid".
var statementKey = regexp.MustCompile(`^statements?[._](\d+)`)

// refused reads a 422: {"message", "errors": {"statement_0": ...}}. If one
// statement fails, the database stores none, so the others stay pending and
// go again in the next batch. A puid the database already holds means the
// statement was stored before (an answer lost on the way): it counts as
// stored. An answer that names no statement refuses the whole batch.
func refused(raw []byte, batch []Statement, out outcome) {
	var ans struct {
		Message  string         `json:"message"`
		Errors   map[string]any `json:"errors"`
		Existing map[string]any `json:"existing"`
	}
	_ = json.Unmarshal(raw, &ans)
	perItem := map[int][]string{}
	var general []string
	for k, v := range ans.Errors {
		m := statementKey.FindStringSubmatch(k)
		idx := -1
		if m != nil {
			idx, _ = strconv.Atoi(m[1])
		}
		msgs := flatten(strings.TrimPrefix(strings.TrimPrefix(k, m0(m)), "."), v)
		if idx < 0 || idx >= len(batch) {
			general = append(general, msgs...)
			continue
		}
		perItem[idx] = append(perItem[idx], msgs...)
	}
	if len(perItem) == 0 {
		msg := strings.TrimSpace(ans.Message)
		if len(general) > 0 {
			sort.Strings(general)
			msg = strings.Join(general, "; ")
		}
		if msg == "" {
			msg = clip(strings.TrimSpace(string(raw)), 1000)
		}
		for _, st := range batch {
			out.refused[st.ID] = msg
		}
		return
	}
	for idx, msgs := range perItem {
		sort.Strings(msgs)
		text := strings.Join(msgs, "; ")
		if duplicatePUID(text) {
			out.stored[batch[idx].ID] = remoteID(ans.Existing)
			continue
		}
		out.refused[batch[idx].ID] = text
	}
}

// m0 is the whole match of a submatch slice, or "".
func m0(m []string) string {
	if m == nil {
		return ""
	}
	return m[0]
}

// duplicatePUID reports whether a refusal says the puid is already stored.
func duplicatePUID(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "puid") && (strings.Contains(t, "taken") || strings.Contains(t, "unique") || strings.Contains(t, "exist"))
}

// flatten turns a Laravel error value (a list of messages, or an object of
// field -> messages) into "field: message" strings.
func flatten(field string, v any) []string {
	prefix := ""
	if field != "" {
		prefix = field + ": "
	}
	switch x := v.(type) {
	case string:
		return []string{prefix + x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(field, e)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range x {
			f := k
			if field != "" {
				f = field + "." + k
			}
			out = append(out, flatten(f, e)...)
		}
		return out
	}
	b, _ := json.Marshal(v)
	return []string{prefix + string(b)}
}

// remoteID is the database's id of a statement: its uuid, else its id.
func remoteID(it map[string]any) string {
	for _, k := range []string{"uuid", "id"} {
		switch v := it[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}
