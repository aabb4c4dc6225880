package mailintake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// maxACNSBytes bounds the XML notice read out of a mail.
const maxACNSBytes = 1 << 20

// acnsNotice holds the fields of an ACNS notice (the Automated Copyright
// Notice System XML that anti-piracy vendors such as IP-Echelon embed in
// their mail) that abusedesk reads. Element names match in any namespace.
type acnsNotice struct {
	Case struct {
		ID string `xml:"ID"`
	} `xml:"Case"`
	Complainant struct {
		Entity  string `xml:"Entity"`
		Contact string `xml:"Contact"`
		Email   string `xml:"Email"`
	} `xml:"Complainant"`
	Source struct {
		TimeStamp string `xml:"TimeStamp"`
		IP        string `xml:"IP_Address"`
		Port      string `xml:"Port"`
		Type      string `xml:"Type"`
	} `xml:"Source"`
	Items []acnsItem `xml:"Content>Item"`
}

type acnsItem struct {
	TimeStamp string `xml:"TimeStamp"`
	Title     string `xml:"Title"`
	FileName  string `xml:"FileName"`
	URL       string `xml:"URL"`
}

// acnsDoc finds the ACNS XML of a mail: the <Infringement> element, in an
// XML attachment or written into the text (IP-Echelon puts it after the
// letter, inside the PGP-signed text).
func acnsDoc(t mimeTree) ([]byte, bool) {
	for _, p := range t.parts {
		if p.nested || !(strings.HasPrefix(p.mediaType, "text/") || strings.HasSuffix(p.mediaType, "xml")) {
			continue
		}
		start := bytes.Index(p.body, []byte("<Infringement"))
		end := bytes.LastIndex(p.body, []byte("</Infringement>"))
		if start < 0 || end < start || !bytes.Contains(p.body[start:end], []byte("acns")) {
			continue
		}
		doc := p.body[start : end+len("</Infringement>")]
		if len(doc) > maxACNSBytes {
			return nil, false
		}
		return doc, true
	}
	return nil, false
}

// parseACNS maps an ACNS notice: always copyright. An item with a web URL
// is content at that URL; an item without one (a P2P download, "URL"
// holding a word like "incoming") is a report about the IP address of the
// Source, with the file name and timestamp as evidence.
func parseACNS(t mimeTree, doc []byte, p *Parsed) {
	var n acnsNotice
	if err := xml.Unmarshal(doc, &n); err != nil {
		p.addProblem("message", "ACNS notice: the XML cannot be read: "+err.Error())
		return
	}
	r := &p.Report
	r.Category, p.CategoryBy = models.CategoryCopyright, "acns: an ACNS notice is a copyright notice"
	var titles []string
	for _, it := range n.Items {
		if t := strings.TrimSpace(it.Title); t != "" {
			titles = append(titles, t)
		}
		if u := strings.TrimSpace(it.URL); isWebURL(u) {
			r.URLs = append(r.URLs, u)
			continue
		}
		if ip := normalizeIP(n.Source.IP); ip != "" {
			p.IPEvents = append(p.IPEvents, IPEvent{IP: ip, Port: strings.TrimSpace(n.Source.Port),
				Time: firstNonEmpty(it.TimeStamp, n.Source.TimeStamp), Kind: "p2p " + strings.TrimSpace(n.Source.Type),
				Evidence: fmt.Sprintf("ACNS case %s: %q, file %q", strings.TrimSpace(n.Case.ID), strings.TrimSpace(it.Title), strings.TrimSpace(it.FileName))})
		} else {
			p.Unusable = append(p.Unusable, Unusable{Text: firstNonEmpty(it.URL, it.FileName), Reason: "the item has no URL and the notice names no IP address"})
		}
	}
	r.URLs = dedupStrings(r.URLs)
	if e := parseAddress(n.Complainant.Email); e != "" {
		r.Reporter.Email = e
	}
	r.Reporter.Organization = strings.TrimSpace(n.Complainant.Entity)
	if c := strings.TrimSpace(n.Complainant.Contact); c != "" {
		r.Reporter.Name = c
	}
	text := strings.ToLower(t.firstText())
	r.Copyright = &models.CopyrightClaim{
		Work: strings.Join(dedupStrings(titles), "; "),
		// The notice's letter makes the 512(c)(3) statements in words; the
		// XML has no field for them.
		GoodFaith:            strings.Contains(text, "good faith"),
		AccurateUnderPenalty: strings.Contains(text, "penalty of perjury"),
		Signature:            strings.TrimSpace(n.Complainant.Contact),
	}
	r.Description = strings.TrimSpace(fmt.Sprintf("%s\n\nACNS notice %s from %s (%s)", p.Subject,
		strings.TrimSpace(n.Case.ID), strings.TrimSpace(n.Complainant.Entity), strings.TrimSpace(n.Complainant.Email)))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
