package mailintake

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// quotedNotice is the notice as mail clients quote it below a reply: it
// mentions removal and counter-notices itself.
const quotedNotice = `
On Fri, 20 Nov 2026 at 10:00, Abuse Desk <abuse@abusedesk.invalid> wrote:
> We received a report that content you host infringes copyright.
> Please remove it. If you believe it was removed by mistake, you may send a counter-notice.
`

// TestSuggestAnswer classifies real-looking replies to notices.
func TestSuggestAnswer(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"plain removed", "Hello,\n\nWe have removed the page.\n\nRegards, Pages Support", models.SuggestRemoved},
		{"taken down", "Hi, the file has been taken down as requested." + quotedNotice, models.SuggestRemoved},
		{"deleted by us", "thanks for the heads up - I deleted it this morning", models.SuggestRemoved},
		{"took it down", "We took the site down an hour ago.", models.SuggestRemoved},
		{"no longer available", "The URL is no longer available.\n\n-- \nHosting Ops", models.SuggestRemoved},
		{"outlook quote", "Content disabled.\r\nThe account is now disabled.\r\n\r\n-----Original Message-----\r\nFrom: Abuse Desk\r\nPlease send a counter-notice", models.SuggestRemoved},
		{"counter-notice", "This is a counter-notice under 17 U.S.C. 512(g)(3). I have a good faith belief that the material was removed as a result of mistake or misidentification.", models.SuggestCounterNotice},
		{"counter notification words", "Please treat this mail as a counter notification: the video is my own work.", models.SuggestCounterNotice},
		{"good faith only", "I swear under penalty of perjury that I have a good-faith belief the material was disabled by mistake.", models.SuggestCounterNotice},
		{"negated", "We have not removed the page: it is a parody.", ""},
		{"not yet", "We have not yet deleted anything, we are checking.", ""},
		{"future", "The page will be removed tomorrow.", ""},
		{"refusal", "We refuse to take it down, this is fair use.", ""},
		{"question", "Which page do you mean? The link does not work for me." + quotedNotice, ""},
		{"only the quote mentions removal", "Thanks, we are looking into it." + quotedNotice, ""},
		{"only a quoted counter-notice word", "ok\n> you may send a counter-notice", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		require.Equal(t, c.want, SuggestAnswer(c.text), c.name)
	}
}
