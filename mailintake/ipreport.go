package mailintake

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/netip"
	"path"
	"strings"
)

// IPEvent is one reported event about an IP address: a row of a scanner's
// or sinkhole's CSV report, a P2P copyright notice that names no URL, an
// X-ARF report whose subject is an IP. abusedesk makes no URL case of it:
// such a report is about whoever uses the address, which only the matching
// against customers' origin IPs can tell (NetworkSubmitter, network.go).
type IPEvent struct {
	IP   string // normalised (net/netip)
	Port string
	// Time is the event's time as the sender wrote it.
	Time string
	// Kind names the report type, e.g. "scan_ntp", "p2p BitTorrent",
	// "connection/ddos".
	Kind string
	// Evidence is what the sender wrote about this event: the CSV row with
	// its column names, or the notice's item.
	Evidence string
}

// IPReportField is the field of the problem a report about IP addresses
// is marked with: such a mail makes no URL case (its sender would
// receive URL cases about its own links); the listener hands it to a
// NetworkSubmitter, which matches its addresses against the customers'
// origin IPs and the provider's networks (network.go), and without one
// answers it with this problem.
const IPReportField = "ip_report"

// Limits of a CSV report: rows taken from one mail, bytes read out of one
// zip file (against a zip bomb), files opened in one zip.
const (
	maxIPEvents   = 10000
	maxCSVBytes   = 16 << 20
	maxZipEntries = 20
)

// addIPReportProblem refuses a mail whose subject is IP addresses, saying
// how many events it carried and what happens to them.
func addIPReportProblem(p *Parsed) {
	n := len(p.IPEvents)
	if n == 0 {
		return
	}
	p.addProblem(IPReportField, fmt.Sprintf("reports about IP addresses: %d %s received (%s), handled as network reports: each address is matched against the customers' origin IPs and the provider's networks: an address of ours becomes a network case, the others are answered \"not our network\" once a day; content at a URL can be reported with its full URL", n, plural(n, "row", "rows"), ipSummary(p.IPEvents)))
}

// isIPReport reports whether the mail is answered as a report about IP
// addresses: the URL validation's problems would only be noise there.
func (p Parsed) isIPReport() bool {
	return len(p.Problems) > 0 && p.Problems[0].Field == IPReportField
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ipSummary names up to three addresses of the events.
func ipSummary(evs []IPEvent) string {
	seen := map[string]bool{}
	var ips []string
	for _, e := range evs {
		if !seen[e.IP] {
			seen[e.IP] = true
			ips = append(ips, e.IP)
		}
	}
	s := strings.Join(ips[:min(3, len(ips))], ", ")
	if len(ips) > 3 {
		s += fmt.Sprintf(" and %d more", len(ips)-3)
	}
	return s
}

// normalizeIP returns the address in s in its canonical form, or "".
func normalizeIP(s string) string {
	a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(s), "[]"))
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}

// csvReports returns the events of the mail's CSV reports: attachments
// named *.csv or *.csv.zip (or text/csv parts), as scanners and sinkholes
// such as Shadowserver send them, one event per row. ok is false when the
// mail carries no CSV with an IP column.
func csvReports(t mimeTree) (events []IPEvent, ok bool, err error) {
	for _, p := range t.parts {
		if p.nested {
			continue
		}
		name := strings.ToLower(p.filename)
		var files map[string][]byte
		switch {
		case strings.HasSuffix(name, ".zip") || p.mediaType == "application/zip":
			files, err = unzipCSV(p.body)
			if err != nil {
				return nil, true, fmt.Errorf("attachment %s: %w", p.filename, err)
			}
		case strings.HasSuffix(name, ".csv") || p.mediaType == "text/csv":
			files = map[string][]byte{p.filename: p.body}
		default:
			continue
		}
		for fname, data := range files {
			evs, isIP := csvEvents(fname, data)
			ok = ok || isIP
			events = append(events, evs...)
		}
	}
	if len(events) > maxIPEvents {
		events = events[:maxIPEvents]
	}
	return events, ok, nil
}

// unzipCSV reads the *.csv files of a zip archive, within maxZipEntries
// and maxCSVBytes in all.
func unzipCSV(data []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable zip file: %w", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("the zip file holds %d files; at most %d are read", len(zr.File), maxZipEntries)
	}
	out := map[string][]byte{}
	budget := int64(maxCSVBytes)
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".csv") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, budget+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if budget -= int64(len(b)); budget < 0 {
			return nil, fmt.Errorf("the zip file unpacks to more than %d bytes", maxCSVBytes)
		}
		out[f.Name] = b
	}
	return out, nil
}

// ipColumns are the header names, in order of preference, of the column
// holding the reported address in scanners' CSV reports.
var ipColumns = []string{"ip", "src_ip", "source_ip", "ip_address", "ipaddress", "address"}

// csvEvents reads one CSV report with a header line; isIP says whether it
// has an IP column. A row whose address does not parse is skipped.
func csvEvents(name string, data []byte) (events []IPEvent, isIP bool) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, false
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))] = i
	}
	ipCol := -1
	for _, c := range ipColumns {
		if i, ok := col[c]; ok {
			ipCol = i
			break
		}
	}
	if ipCol < 0 {
		return nil, false
	}
	get := func(rec []string, names ...string) string {
		for _, n := range names {
			if i, ok := col[n]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
		}
		return ""
	}
	kind := csvKind(name)
	for len(events) < maxIPEvents {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if ipCol >= len(rec) || normalizeIP(rec[ipCol]) == "" {
			continue
		}
		events = append(events, IPEvent{IP: normalizeIP(rec[ipCol]), Port: get(rec, "port", "src_port"),
			Time: get(rec, "timestamp", "time", "date"), Kind: kind, Evidence: csvEvidence(header, rec)})
	}
	return events, true
}

// csvKind names a report by its file name: Shadowserver writes
// "2015-01-01-scan_ntp-sample-asn.csv" for its scan_ntp report.
func csvKind(name string) string {
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	parts := strings.Split(base, "-")
	if len(parts) >= 4 {
		return parts[3]
	}
	return base
}

// csvEvidence writes a row as "column=value" pairs, empty values left out.
func csvEvidence(header, rec []string) string {
	var b strings.Builder
	for i, v := range rec {
		if v = strings.TrimSpace(v); v == "" || i >= len(header) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%s", strings.TrimSpace(header[i]), v)
	}
	return b.String()
}
