package mailintake

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	// Registers the character sets beyond UTF-8 and US-ASCII, so that
	// reports written in e.g. ISO-8859-1 or Windows-1252 decode.
	_ "github.com/emersion/go-message/charset"
)

// maxNesting bounds how deep attached messages (message/rfc822) are opened,
// so that a hostile message of messages cannot exhaust the parser.
const maxNesting = 3

// part is one leaf of a message's MIME tree with its decoded body.
type part struct {
	mediaType    string // lower case, "text/plain" when absent
	params       map[string]string
	filename     string
	attachment   bool
	body         []byte
	parent       string // media type of the enclosing multipart; "" at the top
	parentParams map[string]string
	index        int  // position in the enclosing multipart
	nested       bool // inside an attached message (message/rfc822)
}

// mimeTree is a parsed message: its top-level header and its leaves in
// order. err records damage found while walking (a broken boundary, a bad
// base64 body); the parts read before it are still usable.
type mimeTree struct {
	header message.Header
	parts  []part
	err    error
}

// readMIME parses a message with go-message. It fails only when the header
// block itself cannot be read; damage further in is kept in mimeTree.err.
func readMIME(raw []byte, depth int) (mimeTree, error) {
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !tolerable(err) {
		return mimeTree{}, err
	}
	t := mimeTree{header: ent.Header}
	type multipart struct {
		typ    string
		params map[string]string
	}
	parents := map[string]multipart{}
	t.err = ent.Walk(func(path []int, e *message.Entity, err error) error {
		if err != nil && !tolerable(err) {
			return err
		}
		typ, params, _ := e.Header.ContentType()
		typ = strings.ToLower(typ)
		if typ == "" {
			typ = "text/plain" // RFC 2045 section 5.2
		}
		if strings.HasPrefix(typ, "multipart/") {
			parents[pathKey(path)] = multipart{typ, params}
			return nil
		}
		p := part{mediaType: typ, params: params}
		if n := len(path); n > 0 {
			par := parents[pathKey(path[:n-1])]
			p.parent, p.parentParams, p.index = par.typ, par.params, path[n-1]
		}
		disp, dparams, _ := e.Header.ContentDisposition()
		p.attachment = strings.EqualFold(disp, "attachment")
		p.filename = dparams["filename"]
		if p.filename == "" {
			p.filename = params["name"]
		}
		body, rerr := io.ReadAll(e.Body)
		p.body = body
		t.parts = append(t.parts, p)
		if typ == "message/rfc822" && depth < maxNesting {
			if sub, serr := readMIME(body, depth+1); serr == nil {
				for _, sp := range sub.parts {
					sp.nested = true
					t.parts = append(t.parts, sp)
				}
			}
		}
		return rerr
	})
	return t, nil
}

// tolerable reports whether a go-message error still leaves a readable
// entity: an unknown charset or transfer encoding leaves the body as sent.
func tolerable(err error) bool {
	return message.IsUnknownCharset(err) || message.IsUnknownEncoding(err)
}

func pathKey(path []int) string { return fmt.Sprint(path) }

// texts returns the bodies of the parts of one media type, joined by blank
// lines; with topOnly, parts inside attached messages are left out.
func (t mimeTree) texts(mediaType string, topOnly bool) string {
	var bodies []string
	for _, p := range t.parts {
		if p.mediaType == mediaType && !(topOnly && p.nested) {
			bodies = append(bodies, string(p.body))
		}
	}
	return strings.Join(bodies, "\n\n")
}

// firstText returns the first inline text/plain body outside attached
// messages, or failing that the text of the first HTML body, for use as a
// description.
func (t mimeTree) firstText() string {
	for _, p := range t.parts {
		if p.mediaType == "text/plain" && !p.attachment && !p.nested {
			return string(p.body)
		}
	}
	for _, p := range t.parts {
		if p.mediaType == "text/html" && !p.attachment && !p.nested {
			return htmlToText(string(p.body))
		}
	}
	return ""
}

// urls returns the URLs written in the message's text parts (attached
// messages included: a forwarded phishing mail is the usual report), or,
// when there are none, those of its HTML parts.
func (t mimeTree) urls() []string {
	if u := ExtractURLs(t.texts("text/plain", false)); len(u) > 0 {
		return u
	}
	return extractHTMLURLs(t.texts("text/html", false))
}
