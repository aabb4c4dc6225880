package server

import (
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
	// ReportsAccepted counts reports that got 202, by category and channel.
	ReportsAccepted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "abusedesk_reports_accepted_total", Help: "Reports accepted (202) by category and source.",
	}, []string{"category", "source"})
	reportsRejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "abusedesk_reports_rejected_total", Help: "Reports refused, by HTTP status.",
	}, []string{"status"})
)

func init() {
	prometheus.MustRegister(httpRequests, ReportsAccepted, reportsRejected)
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
