package desk

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestClearinghouseFiledByHand: a prepared report waits for an analyst,
// who records the clearinghouse's report id; the case then shows the id,
// the state and when it was filed (GET /v1/cases/{id}: clearinghouse). A
// bad id is 422, a case without a report 404, a second filing 409.
func TestClearinghouseFiledByHand(t *testing.T) {
	d, _ := testDesk(t)
	ctx := context.Background()
	addCase(t, d.DB, "Ccsam", models.StatusClosed)
	addCase(t, d.DB, "Cplain", models.StatusClosed)
	require.NoError(t, d.DB.Create(&models.ClearinghouseReport{CaseID: "Ccsam", State: models.ClearinghousePrepared, ByHand: true}).Error)

	cv, err := d.LoadCase(ctx, "Ccsam")
	require.NoError(t, err)
	require.NotNil(t, cv.Clearinghouse)
	require.Equal(t, models.ClearinghousePrepared, cv.Clearinghouse.State)
	require.Contains(t, cv.Clearinghouse.Note, "no clearinghouse API is configured")
	raw, err := json.Marshal(cv)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"clearinghouse":{"report_id":"","state":"prepared","filed_at":null`)

	for _, bad := range []string{"", "  ", "has space", strings.Repeat("9", 65), "<script>"} {
		_, err := d.FileClearinghouseByHand(ctx, "Ccsam", "ana", ClearinghouseFiledRequest{ReportID: bad})
		code, ps := StatusOf(err)
		require.Equal(t, http.StatusUnprocessableEntity, code, bad)
		require.Equal(t, "report_id", ps[0].Field)
	}
	_, err = d.FileClearinghouseByHand(ctx, "Cplain", "ana", ClearinghouseFiledRequest{ReportID: "1"})
	code, _ := StatusOf(err)
	require.Equal(t, http.StatusNotFound, code)

	before := time.Now().UTC()
	v, err := d.FileClearinghouseByHand(ctx, "Ccsam", "ana", ClearinghouseFiledRequest{ReportID: "151515"})
	require.NoError(t, err)
	require.Equal(t, "151515", v.ReportID)
	require.Equal(t, models.ClearinghouseFinished, v.State)
	require.Equal(t, "ana", v.FiledBy)
	require.WithinDuration(t, before.Add(models.ClearinghousePreservation), *v.PreserveUntil, time.Minute)

	cv, err = d.LoadCase(ctx, "Ccsam")
	require.NoError(t, err)
	require.Equal(t, "151515", cv.Clearinghouse.ReportID)
	require.NotNil(t, cv.Clearinghouse.FiledAt)
	require.Contains(t, cv.Clearinghouse.Note, "preserved until")

	_, err = d.FileClearinghouseByHand(ctx, "Ccsam", "ana", ClearinghouseFiledRequest{ReportID: "2"})
	code, _ = StatusOf(err)
	require.Equal(t, http.StatusConflict, code)

	cv, err = d.LoadCase(ctx, "Cplain")
	require.NoError(t, err)
	require.Nil(t, cv.Clearinghouse)
}
