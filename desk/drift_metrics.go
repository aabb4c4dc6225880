package desk

import (
	"errors"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abusedesk/abusedesk/mailintake"
)

// Metrics of the email intake's senders (issue 14, format drift). Their
// labels are bounded: at most maxSenderLabels distinct senders get their
// own label, later ones count as "other"; formats and outcomes are closed
// sets.
var (
	senderMails = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "abusedesk_intake_sender_mails_total",
		Help: "Report mails by sender (authenticated domain), format read and outcome (case, ip_report, refused, empty).",
	}, []string{"sender", "format", "outcome"})
	senderDrifting = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "abusedesk_intake_sender_drifting",
		Help: "1 while a sender's mail in a format shows format drift (for sender=\"other\" or \"unauthenticated\": how many such senders drift).",
	}, []string{"sender", "format"})
	senderDrifts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "abusedesk_intake_sender_drift_mails_total",
		Help: "Report mails that showed a sender's format drift, by sender and format.",
	}, []string{"sender", "format"})
)

// RegisterDriftMetrics registers the sender metrics with reg; already
// registered is no error. The composition root calls it once.
func RegisterDriftMetrics(reg prometheus.Registerer) error {
	var already prometheus.AlreadyRegisteredError
	for _, c := range []prometheus.Collector{senderMails, senderDrifting, senderDrifts} {
		if err := reg.Register(c); err != nil && !errors.As(err, &already) {
			return err
		}
	}
	return nil
}

// maxSenderLabels caps the distinct sender labels of the metrics.
const maxSenderLabels = 500

// otherLabel stands for the senders beyond the cap, and unknown formats.
const otherLabel = "other"

var metricFormats = map[string]bool{mailintake.FormatXARF4: true, mailintake.FormatXARF02: true, mailintake.FormatARF: true,
	mailintake.FormatACNS: true, mailintake.FormatCSV: true, mailintake.FormatPlain: true}

// senderLabels hands out the bounded sender labels and keeps the count of
// drifting records folded into "other".
type senderLabels struct {
	mu    sync.Mutex
	known map[string]bool
	other map[string]map[string]bool // label pair -> drifting records ("sender\x00format") folded into it
}

var labels = &senderLabels{known: map[string]bool{}, other: map[string]map[string]bool{}}

// sender is the label of a sender key. Senders no authentication vouches
// for share one label, "unauthenticated": anyone can claim a From domain,
// and such claims must not use up the labels of real senders.
func (l *senderLabels) sender(s string) string {
	if strings.HasPrefix(s, "unauthenticated:") {
		return "unauthenticated"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.known[s] {
		return s
	}
	if len(l.known) >= maxSenderLabels {
		return otherLabel
	}
	l.known[s] = true
	return s
}

func formatLabel(f string) string {
	if metricFormats[f] {
		return f
	}
	return otherLabel
}

// observe counts one mail and sets the drifting gauge of its record.
func (l *senderLabels) observe(sender, format, outcome string, drifted, drifting bool) {
	s, f := l.sender(sender), formatLabel(format)
	senderMails.WithLabelValues(s, f, outcome).Inc()
	if drifted {
		senderDrifts.WithLabelValues(s, f).Inc()
	}
	l.setDrifting(sender, format, s, f, drifting)
}

// setDrifting sets the gauge of a record; a record folded into "other" or
// "unauthenticated" counts in the gauge of its label pair.
func (l *senderLabels) setDrifting(sender, format, s, f string, drifting bool) {
	if s != otherLabel && s != "unauthenticated" && f != otherLabel {
		senderDrifting.WithLabelValues(s, f).Set(boolGauge(drifting))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	pair, key := s+"\x00"+f, sender+"\x00"+format
	if l.other[pair] == nil {
		l.other[pair] = map[string]bool{}
	}
	if drifting {
		l.other[pair][key] = true
	} else {
		delete(l.other[pair], key)
	}
	senderDrifting.WithLabelValues(s, f).Set(float64(len(l.other[pair])))
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
