package mailintake

import (
	"regexp"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// SuggestAnswer reads the sender's own text of a reply to a notice and
// says which operator answer it clearly gives, for the analyst to accept
// or not: models.SuggestCounterNotice when it reads like a DMCA
// counter-notice (it names a counter-notice or counter-notification,
// 17 U.S.C. 512(g), or states a good-faith belief of a mistake or
// misidentification), models.SuggestRemoved when it says in the past or
// present perfect that the content was removed, taken down, deleted or
// disabled, or is no longer available, and "" otherwise. Only the text
// above the quoted notice counts (lines starting with ">", and everything
// from an "On ... wrote:", "Original Message" or quoted "From:" line on):
// the notice itself mentions removal and counter-notices. A sentence that
// negates the removal ("we have not removed", "will not remove", "refuse to
// delete") or puts it in the future ("will be removed") suggests nothing:
// the rule prefers no suggestion to a wrong one.
func SuggestAnswer(text string) string {
	own := ownText(text)
	switch {
	case counterNoticePattern.MatchString(own):
		return models.SuggestCounterNotice
	case noRemovalPattern.MatchString(own):
		return ""
	case removedPattern.MatchString(own):
		return models.SuggestRemoved
	}
	return ""
}

var (
	counterNoticePattern = regexp.MustCompile(`(?is)\bcounter[-\s]?(notice|notification)|\b512\s*\(\s*g\s*\)|good[-\s]faith\s+belief\b.{0,300}\b(mistake|misidentification)`)
	removal              = `(remov|delet|tak(e|en|ing)\s+(it\s+|this\s+|them\s+)?(down|offline)|took\s+(it\s+|this\s+|them\s+)?(down|offline)|disabl)`
	noRemovalPattern     = regexp.MustCompile(`(?i)(\bnot\b|n't\b|\bnever\b|\brefus|\bdeclin|\bwill\b|\bgoing\s+to\b|\bplan\b|\bsoon\b|\btomorrow\b|\bcannot\b|\bunable\b)[^.!?,;\n]{0,40}` + removal)
	removedPattern       = regexp.MustCompile(`(?i)\b(have|has|had|'ve|we|i|is|are|was|were|been)\s+(now\s+|just\s+|already\s+|since\s+)?(been\s+)?(removed|deleted|taken\s+(down|offline)|took\s+(it\s+|the\s+\w+\s+|them\s+)?(down|offline)|disabled)\b|\bno\s+longer\s+(available|online|accessible|hosted|reachable)\b`)
	quoteStart           = regexp.MustCompile(`(?i)^(on\s.*wrote:\s*$|-{2,}\s*original message\s*-{2,}|_{5,}\s*$|from:\s)`)
)

// ownText is the part of a reply above the quoted mail.
func ownText(text string) string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if quoteStart.MatchString(t) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
