package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/abusedesk/abusedesk/workflows"
)

// HistoryArchive, when set, reads the exported history of a case whose
// execution Temporal no longer has (retention).
var HistoryArchive func(ctx context.Context, caseID string) ([]byte, error)

// CaseHistory returns a case's workflow history as the JSON that
// `temporal workflow show --output json` prints (protojson of History).
func (s *Server) CaseHistory(ctx context.Context, caseID string) ([]byte, error) {
	it := s.Temporal.GetWorkflowHistory(ctx, workflows.CaseWorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			if HistoryArchive != nil {
				if b, aerr := HistoryArchive(ctx, caseID); aerr == nil {
					return b, nil
				}
			}
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return protojson.Marshal(h)
}

func (s *Server) getHistory(c echo.Context) error {
	b, err := s.CaseHistory(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if c.QueryParam("download") != "" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+c.Param("id")+`.history.json"`)
	}
	return c.Blob(http.StatusOK, "application/json", b)
}
