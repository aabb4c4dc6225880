package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"google.golang.org/protobuf/types/known/durationpb"
)

// ensureNamespace registers the namespace when missing (PostgreSQL; SQLite
// files get it before start) and brings its retention and history archival
// state to the configured values.
func ensureNamespace(ctx context.Context, c sdkclient.Client, o Options, logger log.Logger) error {
	ws := c.WorkflowService()
	desc, err := ws.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: o.Namespace})
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		if err := registerNamespace(ctx, ws, o); err != nil {
			return err
		}
		desc, err = ws.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: o.Namespace})
	}
	if err != nil {
		return fmt.Errorf("temporalserver: describe namespace %s: %w", o.Namespace, err)
	}
	update := namespaceUpdate(desc.GetConfig(), o, logger)
	if update == nil {
		return nil
	}
	_, err = ws.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{Namespace: o.Namespace, Config: update})
	if err != nil {
		return fmt.Errorf("temporalserver: update namespace %s: %w", o.Namespace, err)
	}
	return nil
}

// registerNamespace creates the namespace with the configured retention and
// archival; one that appeared meanwhile is fine.
func registerNamespace(ctx context.Context, ws workflowservice.WorkflowServiceClient, o Options) error {
	req := &workflowservice.RegisterNamespaceRequest{
		Namespace:                        o.Namespace,
		Description:                      "abusedesk cases",
		WorkflowExecutionRetentionPeriod: durationpb.New(o.Retention),
	}
	if uri := o.archivalURI(); uri != "" {
		req.HistoryArchivalState = enumspb.ARCHIVAL_STATE_ENABLED
		req.HistoryArchivalUri = uri
	}
	_, err := ws.RegisterNamespace(ctx, req)
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("temporalserver: register namespace %s: %w", o.Namespace, err)
	}
	return nil
}

// namespaceUpdate returns the config changes needed, or nil when none.
func namespaceUpdate(cur *namespacepb.NamespaceConfig, o Options, logger log.Logger) *namespacepb.NamespaceConfig {
	var update namespacepb.NamespaceConfig
	changed := false
	if cur.GetWorkflowExecutionRetentionTtl().AsDuration() != o.Retention {
		update.WorkflowExecutionRetentionTtl = durationpb.New(o.Retention)
		changed = true
	}
	uri := o.archivalURI()
	switch {
	case uri == "":
		// Archival not configured: the cluster archives nothing, whatever
		// the namespace says, so leave its state alone.
	case cur.GetHistoryArchivalUri() != "" && cur.GetHistoryArchivalUri() != uri:
		// Temporal never lets a namespace's archival URI change.
		logger.Warn("namespace keeps archiving to its first archival directory",
			tag.WorkflowNamespace(o.Namespace),
			tag.NewStringTag("archival-uri", cur.GetHistoryArchivalUri()),
			tag.NewStringTag("configured-uri", uri))
	case cur.GetHistoryArchivalState() != enumspb.ARCHIVAL_STATE_ENABLED || cur.GetHistoryArchivalUri() == "":
		update.HistoryArchivalState = enumspb.ARCHIVAL_STATE_ENABLED
		update.HistoryArchivalUri = uri
		changed = true
	}
	if !changed {
		return nil
	}
	return &update
}

// ensureSearchAttributes adds the configured search attributes missing from
// the namespace. An existing attribute of another type is an error: workflows
// would fail to upsert it.
func ensureSearchAttributes(ctx context.Context, c sdkclient.Client, o Options) (added bool, err error) {
	if len(o.SearchAttributes) == 0 {
		return false, nil
	}
	ops := c.OperatorService()
	list, err := listSearchAttributes(ctx, ops, o.Namespace)
	if err != nil {
		return false, err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, want := range o.SearchAttributes {
		if _, ok := list.GetSystemAttributes()[name]; ok {
			return false, fmt.Errorf("temporalserver: search attribute %s is a system attribute", name)
		}
		got, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = want
		case got != want:
			return false, fmt.Errorf("temporalserver: search attribute %s exists as %s, want %s", name, got, want)
		}
	}
	if len(missing) == 0 {
		return false, nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        o.Namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return false, fmt.Errorf("temporalserver: add search attributes: %w", err)
	}
	// No wait for the attribute caches: system.forceSearchAttributesCacheRefreshOnRead
	// stays on until they have all refreshed (liveConfig).
	return true, nil
}

// listSearchAttributes lists the namespace's search attributes. A namespace
// registered a moment ago is unknown to the frontend's namespace cache until
// its next refresh (misses are cached for a second), so NotFound is retried.
func listSearchAttributes(ctx context.Context, ops operatorservice.OperatorServiceClient, namespace string) (*operatorservice.ListSearchAttributesResponse, error) {
	for {
		list, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
		var notFound *serviceerror.NamespaceNotFound
		if err == nil || !errors.As(err, &notFound) {
			if err != nil {
				return nil, fmt.Errorf("temporalserver: list search attributes: %w", err)
			}
			return list, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporalserver: namespace %s not visible: %w", namespace, errors.Join(ctx.Err(), err))
		case <-time.After(200 * time.Millisecond):
		}
	}
}
