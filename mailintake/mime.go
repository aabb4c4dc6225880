package mailintake

import (
	"bytes"
	"context"
	"errors"
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

// readMIME parses a message with go-message within the MIME limits (see
// MaxMIMEDepth). It fails when the header block itself cannot be read, and
// with a *LimitError when the message is over a limit; damage further in is
// kept in mimeTree.err.
func readMIME(ctx context.Context, raw []byte) (mimeTree, error) {
	return (&budget{ctx: ctx}).read(raw, 0, 0)
}

// frame is one open multipart on the walk's stack.
type frame struct {
	mr     message.MultipartReader
	typ    string
	params map[string]string
	index  int // of the part being read
}

// read parses one message whose top-level entity sits at depth; nesting
// counts the attached messages around it.
func (b *budget) read(raw []byte, depth, nesting int) (mimeTree, error) {
	raw = dropEnvelopeLine(raw)
	ent, err := message.Read(ctxReader{b.ctx, bytes.NewReader(raw)})
	if err != nil && !tolerable(err) {
		if le := b.limit(err); le != nil {
			return mimeTree{}, le
		}
		return mimeTree{}, err
	}
	t := mimeTree{header: ent.Header}
	if err := b.walk(&t, ent, depth, nesting); err != nil {
		if le := b.limit(err); le != nil {
			return mimeTree{}, le
		}
		if !(errors.Is(err, io.ErrUnexpectedEOF) && len(t.parts) > 0) {
			t.err = err
		}
		// A multipart whose closing boundary is missing (common in
		// feedback-loop mail) ends at the end of the message: the parts
		// read are whole, and the message is not reported as damaged.
	}
	return t, nil
}

// dropEnvelopeLine removes an mbox envelope line ("From sender date", or
// ">From " as a mailbox escapes it) before a message's header: mail saved
// from a mailbox, and the original message in some feedback reports, starts
// with one, and it is not a header field.
func dropEnvelopeLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) && !bytes.HasPrefix(raw, []byte(">From ")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}

// walk reads the entity's tree depth first into t.parts, as go-message's
// Walk does, but counts every entity against the limits before reading it.
func (b *budget) walk(t *mimeTree, root *message.Entity, depth, nesting int) error {
	var stack []frame
	e := root
	for {
		if e == nil {
			if len(stack) == 0 {
				return nil
			}
			top := &stack[len(stack)-1]
			next, err := top.mr.NextPart()
			if err == io.EOF {
				stack = stack[:len(stack)-1]
				continue
			}
			if next == nil || (err != nil && !tolerable(err)) {
				return err
			}
			top.index++
			e = next
		}
		level := depth + len(stack)
		if err := b.enter(level); err != nil {
			return err
		}
		typ, params, _ := e.Header.ContentType()
		typ = strings.ToLower(typ)
		if typ == "" {
			typ = "text/plain" // RFC 2045 section 5.2
		}
		if mr := e.MultipartReader(); mr != nil {
			stack = append(stack, frame{mr: mr, typ: typ, params: params, index: -1})
			e = nil
			continue
		}
		p := part{mediaType: typ, params: params}
		if n := len(stack); n > 0 {
			p.parent, p.parentParams, p.index = stack[n-1].typ, stack[n-1].params, stack[n-1].index
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
		if typ == "message/rfc822" && nesting < maxNesting {
			sub, serr := b.read(body, level+1, nesting+1)
			var le *LimitError
			if errors.As(serr, &le) {
				return le
			}
			if serr == nil {
				for _, sp := range sub.parts {
					sp.nested = true
					t.parts = append(t.parts, sp)
				}
			}
		}
		if rerr != nil {
			return rerr
		}
		e = nil
	}
}

// tolerable reports whether a go-message error still leaves a readable
// entity: an unknown charset or transfer encoding leaves the body as sent.
func tolerable(err error) bool {
	return message.IsUnknownCharset(err) || message.IsUnknownEncoding(err)
}

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
	if u := ExtractURLs(t.reportTexts("text/plain")); len(u) > 0 {
		return u
	}
	return extractHTMLURLs(t.reportTexts("text/html"))
}

// reportTexts is texts(mediaType, false) with each body cleaned by
// reportText: PGP armour, XML namespaces and DTDs, and each body's
// signature removed.
func (t mimeTree) reportTexts(mediaType string) string {
	var bodies []string
	for _, p := range t.parts {
		if p.mediaType == mediaType {
			bodies = append(bodies, reportText(string(p.body)))
		}
	}
	return strings.Join(bodies, "\n\n")
}
