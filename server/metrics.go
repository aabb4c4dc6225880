package server

import (
	"errors"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	httpRequests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "abusedesk_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "status"})
	reportsRejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "abusedesk_reports_rejected_total", Help: "Reports refused, by HTTP status.",
	}, []string{"status"})
)

// RegisterMetrics registers the HTTP server's metrics on reg (the
// composition root calls it once; again is no error).
func RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{httpRequests, reportsRejected} {
		var already prometheus.AlreadyRegisteredError
		if err := reg.Register(c); err != nil && !errors.As(err, &already) {
			return err
		}
	}
	return nil
}

func metricsMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status, _ = statusOf(err)
		}
		httpRequests.WithLabelValues(c.Path(), c.Request().Method, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		return err
	}
}

func metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.Handler())
}
