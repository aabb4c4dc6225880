package mailintake

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"sort"
	"strings"
)

// Bounds of the layout reading: it runs on every mail.
const (
	maxLayoutNames  = 40   // names listed per kind
	maxLayoutTokens = 5000 // XML tokens read
	maxHeaderLine   = 4096 // bytes of a CSV header line
)

// layoutOf describes the structure of a mail read as format: the media
// types of its parts (outside attached messages) and what names the
// fields of its report. It changes when a sender changes its layout; it
// does not change with the values reported.
func layoutOf(t mimeTree, format string) string {
	var types []string
	for _, p := range t.parts {
		if !p.nested {
			types = append(types, p.mediaType)
		}
	}
	out := []string{"format=" + format, "parts=" + strings.Join(sortedNames(types), ",")}
	if format == FormatCSV {
		// Scanners label their zip files application/zip or
		// application/octet-stream from one mail to the next.
		out[1] = "files=" + strings.Join(sortedNames(csvContainers(t)), ",")
	}
	var names []string
	switch format {
	case FormatXARF4:
		if doc, ok := xarf4Doc(t); ok {
			names = jsonKeys(doc)
		}
	case FormatCSV:
		names = parserColumns(csvHeaders(t))
	case FormatARF:
		if fb, ok := arfPart(t); ok {
			names = arfRequired(headerNames(fb.body))
		}
	case FormatACNS:
		if doc, ok := acnsDoc(t); ok {
			names = xmlNames(doc)
		}
	case FormatXARF02:
		if f, err := xarf02Fields(t); err == nil {
			for k := range f {
				if xarf02Core[k] {
					names = append(names, k)
				}
			}
		}
	}
	if len(names) > 0 {
		out = append(out, "fields="+strings.Join(sortedNames(names), ","))
	}
	return strings.Join(out, " ")
}

// fingerprint is a short digest of a layout.
func fingerprint(layout string) string {
	sum := sha256.Sum256([]byte(layout))
	return hex.EncodeToString(sum[:6])
}

// sortedNames returns the distinct names, sorted, at most maxLayoutNames.
func sortedNames(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range in {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out[:min(len(out), maxLayoutNames)]
}

// xarfCoreKeys are the top-level fields X-ARF v4 requires of every report
// whatever its type (and v3's top-level names). Optional and type-specific
// fields vary from one report of a sender to the next, so only these count
// in its layout: a renamed or moved core field is a new layout.
var xarfCoreKeys = map[string]bool{"xarf_version": true, "report_id": true, "timestamp": true, "reporter": true,
	"sender": true, "source_identifier": true, "category": true, "type": true,
	"version": true, "reporterinfo": true, "report": true, "disclosure": true}

// jsonKeys returns the X-ARF core keys of a JSON object (xarfCoreKeys) and
// its version ("xarf_version=4.0.0").
func jsonKeys(doc []byte) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return []string{"(not a JSON object)"}
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		k = strings.ToLower(k)
		switch {
		case k == "xarf_version" || k == "version":
			var ver string
			_ = json.Unmarshal(v, &ver)
			keys = append(keys, k+"="+truncateText(ver, 16))
		case xarfCoreKeys[k]:
			keys = append(keys, k)
		}
	}
	return keys
}

// headerNames returns the field names of a header block (the ARF
// feedback-report part).
func headerNames(body []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if k, _, ok := strings.Cut(line, ":"); ok && !strings.ContainsAny(k, " \t") {
			names = append(names, k)
		}
	}
	return names
}

// xarf02Core are the X-ARF 0.2 fields of every report type; the others
// (port, domain, download-link...) depend on the type.
var xarf02Core = map[string]bool{"reported-from": true, "category": true, "report-type": true, "version": true,
	"user-agent": true, "date": true, "source-type": true, "source": true, "report-id": true, "schema-url": true, "attachment": true}

// arfRequired keeps the fields RFC 5965 requires of every report: the
// optional ones come and go with what each complaint is about.
func arfRequired(names []string) []string {
	var out []string
	for _, n := range names {
		switch n = strings.ToLower(n); n {
		case "feedback-type", "user-agent", "version":
			out = append(out, n)
		}
	}
	return out
}

// xmlNames returns the names of the elements in the first two levels of
// an XML document (the ACNS notice's sections and their fields).
func xmlNames(doc []byte) []string {
	var names []string
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	depth := 0
	for i := 0; i < maxLayoutTokens; i++ {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth <= 3 {
				names = append(names, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	return names
}

// csvHeaders returns the column names of the mail's CSV reports (the
// first line of each *.csv attachment, also inside a zip).
func csvHeaders(t mimeTree) []string {
	var names []string
	for _, p := range t.parts {
		if p.nested {
			continue
		}
		name := strings.ToLower(p.filename)
		switch {
		case strings.HasSuffix(name, ".zip") || p.mediaType == "application/zip":
			names = append(names, zipCSVHeaders(p.body)...)
		case strings.HasSuffix(name, ".csv") || p.mediaType == "text/csv":
			names = append(names, headerLine(bytes.NewReader(p.body))...)
		}
	}
	return names
}

// parserColumns keeps the CSV's IP column, the one the parser needs
// (csvEvents): a scanner's report types differ in their other columns
// (port or src_port, time), which is no change of layout.
func parserColumns(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.ToLower(n)
		for _, c := range ipColumns {
			if n == c {
				out = append(out, n)
			}
		}
	}
	return out
}

// csvContainers says how the CSV reports came: "zip" or "csv" files.
func csvContainers(t mimeTree) []string {
	var out []string
	for _, p := range t.parts {
		name := strings.ToLower(p.filename)
		switch {
		case p.nested:
		case strings.HasSuffix(name, ".zip") || p.mediaType == "application/zip":
			out = append(out, "zip")
		case strings.HasSuffix(name, ".csv") || p.mediaType == "text/csv":
			out = append(out, "csv")
		}
	}
	return out
}

func zipCSVHeaders(data []byte) []string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > maxZipEntries {
		return nil
	}
	var names []string
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".csv") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		names = append(names, headerLine(rc)...)
		rc.Close()
	}
	return names
}

// headerLine splits the first line of r (at most maxHeaderLine bytes) into
// column names.
func headerLine(r io.Reader) []string {
	line, _ := bufio.NewReader(io.LimitReader(r, maxHeaderLine)).ReadString('\n')
	line = strings.Trim(strings.TrimPrefix(line, "\ufeff"), "\r\n")
	var out []string
	for _, f := range strings.Split(line, ",") {
		out = append(out, strings.Trim(f, `" `))
	}
	return out
}
