package jsondoc

import (
	"bytes"
	"encoding/json"
	"strings"
)

// HasFoldedDuplicate reports whether some object of a valid JSON document
// names two keys that strings.EqualFold holds for. It is a second,
// deliberately plain implementation (every object's keys compared pairwise)
// that the fuzz tests check Duplicates and the decoders against; it is
// quadratic, so it is not for requests. Invalid JSON gives false.
func HasFoldedDuplicate(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type obj struct {
		isObj   bool
		keys    []string
		wantKey bool
	}
	var stack []*obj
	found := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return found && len(stack) == 0
		}
		var top *obj
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.isObj && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].isObj {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
			k := tok.(string)
			for _, o := range top.keys {
				if strings.EqualFold(o, k) {
					found = true
				}
			}
			top.keys = append(top.keys, k)
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &obj{isObj: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &obj{})
		case json.Delim(']'), json.Delim('}'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].isObj {
				stack[len(stack)-1].wantKey = true
			}
		default:
			if top != nil && top.isObj {
				top.wantKey = true
			}
		}
	}
}
