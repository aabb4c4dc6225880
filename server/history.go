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
// `temporal workflow show --output json` prints, its payloads decoded.
func (s *Server) CaseHistory(ctx context.Context, caseID string) ([]byte, error) {
	return s.caseHistory(ctx, caseID, false)
}

// CaseHistoryEncoded returns the history as Temporal stores it (payloads
// encrypted), for the Temporal CLI or UI with the codec endpoint.
func (s *Server) CaseHistoryEncoded(ctx context.Context, caseID string) ([]byte, error) {
	return s.caseHistory(ctx, caseID, true)
}

func (s *Server) caseHistory(ctx context.Context, caseID string, encoded bool) ([]byte, error) {
	decode := !encoded && s.HistoryDecoder != nil
	it := s.Temporal.GetWorkflowHistory(ctx, workflows.CaseWorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			if HistoryArchive == nil {
				return nil, err
			}
			b, aerr := HistoryArchive(ctx, caseID)
			if aerr != nil {
				return nil, err
			}
			if !decode {
				return b, nil
			}
			h = &historypb.History{}
			if err := protojson.Unmarshal(b, h); err != nil {
				return nil, err
			}
			break
		}
		h.Events = append(h.Events, ev)
	}
	if decode {
		if err := s.HistoryDecoder(ctx, h); err != nil {
			return nil, err
		}
	}
	return protojson.Marshal(h)
}

func (s *Server) getHistory(c echo.Context) error {
	encoded := c.QueryParam("encoded") != ""
	b, err := s.caseHistory(c.Request().Context(), c.Param("id"), encoded)
	if err != nil {
		return err
	}
	if c.QueryParam("download") != "" {
		name := c.Param("id") + ".history.json"
		if encoded {
			name = c.Param("id") + ".history.encoded.json"
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	return c.Blob(http.StatusOK, "application/json", b)
}
