// Package jsondoc reads JSON request documents the way intake needs them
// read: it finds object keys that a document repeats, and digests a
// document in a canonical form so that two spellings of one document (key
// order, white space, escapes) are recognised as the same submission.
//
// encoding/json keeps the last of two equal keys, so
// {"category":"phishing","category":"csam"} reads as a CSAM report while a
// reader that keeps the first one (a proxy, a log line, a person) sees a
// phishing report. Intake refuses such documents instead of guessing.
package jsondoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// frame is one open object or array while walking a document.
type frame struct {
	seg     string          // this container's path segment ("reporter", "[2]", "" at the root)
	object  bool            // an object (else an array)
	keys    map[string]bool // the keys of the object seen so far
	wantKey bool            // the next token of the object is a key
	key     string          // the object's current key
	index   int             // the array's next index
}

// Duplicates returns the path of every key that appears more than once in
// one object, once each and in document order: "category",
// "reporter.email", "evidence[0].hash". Keys are compared as encoding/json
// matches them to struct fields, without regard to case ("Category" and
// "category" are one field to it), after unescaping. It walks the document without
// recursion, so nesting depth costs memory, not stack. For a document that
// is not valid JSON it returns what it found before the error, and the
// error.
func Duplicates(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var (
		stack []frame
		out   []string
		seen  = map[string]bool{}
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) && len(stack) == 0 {
			return out, nil
		}
		if errors.Is(err, io.EOF) {
			return out, io.ErrUnexpectedEOF
		}
		if err != nil {
			return out, err
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			top := &stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = pop(stack)
				continue
			}
			k, _ := tok.(string)
			k = fold(k)
			if top.keys[k] {
				if p := path(stack, tok.(string)); !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
			top.keys[k], top.key, top.wantKey = true, tok.(string), false
			continue
		}
		d, isDelim := tok.(json.Delim)
		if isDelim && (d == '}' || d == ']') {
			stack = pop(stack)
			continue
		}
		seg := valueSegment(stack)
		if isDelim { // '{' or '['
			stack = append(stack, frame{seg: seg, object: d == '{', keys: map[string]bool{}, wantKey: d == '{'})
			continue
		}
		stack = valueDone(stack)
	}
}

// valueSegment is the path segment of the value starting now, and moves an
// array on to its next index.
func valueSegment(stack []frame) string {
	if len(stack) == 0 {
		return ""
	}
	top := &stack[len(stack)-1]
	if top.object {
		return keySegment(top.key)
	}
	s := "[" + strconv.Itoa(top.index) + "]"
	top.index++
	return s
}

// valueDone marks the current value of the innermost object complete.
func valueDone(stack []frame) []frame {
	if n := len(stack); n > 0 && stack[n-1].object {
		stack[n-1].wantKey = true
	}
	return stack
}

// pop closes the innermost container, completing its parent's value.
func pop(stack []frame) []frame {
	if len(stack) == 0 {
		return stack
	}
	return valueDone(stack[:len(stack)-1])
}

// path names key inside the innermost object of stack.
func path(stack []frame, key string) string {
	var b strings.Builder
	for _, f := range stack {
		if f.seg == "" {
			continue
		}
		if b.Len() > 0 && !strings.HasPrefix(f.seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(f.seg)
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(keySegment(key))
	return b.String()
}

// keySegment is a key as a path segment; the empty key is written `""` so
// that it still names something.
func keySegment(key string) string {
	if key == "" {
		return `""`
	}
	return key
}

// Canonical returns doc in one canonical form: parsed and written again
// with object keys sorted, no white space, numbers as written and strings
// escaped one way. A document that is not valid JSON is returned as is.
func Canonical(doc []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return doc
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return doc // trailing data: not one document
	}
	out, err := json.Marshal(v)
	if err != nil {
		return doc
	}
	return out
}

// Digest is the SHA-256 (hex) of doc's canonical form.
func Digest(doc []byte) string {
	sum := sha256.Sum256(Canonical(doc))
	return hex.EncodeToString(sum[:])
}

// fold maps a key to one spelling of its case-folding class (each rune to
// the least rune of its unicode.SimpleFold orbit), so that two keys fold
// alike exactly when strings.EqualFold holds, as encoding/json compares
// field names.
func fold(k string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < least {
				least = f
			}
		}
		return least
	}, k)
}
