package bot

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's Prometheus metrics, in a registry of their own.
type Metrics struct {
	Registry      *prometheus.Registry
	Answers       prometheus.Counter
	NoAnswers     prometheus.Counter
	AnswerLatency prometheus.Histogram
	Sources       prometheus.GaugeFunc
	Adds          prometheus.Counter
	Refusals      *prometheus.CounterVec
	// FeedPolls counts reads of followed feeds by outcome (ok,
	// not_modified, error); FeedItems their items by outcome (added,
	// duplicate, failed, retry, capped).
	FeedPolls *prometheus.CounterVec
	FeedItems *prometheus.CounterVec
	// Segments is the search index's segment count (WatchSegments).
	Segments prometheus.GaugeFunc
}

// NewMetrics makes the bot's metrics in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry:  prometheus.NewRegistry(),
		Answers:   prometheus.NewCounter(prometheus.CounterOpts{Name: "verbatim_answers_total", Help: "Questions answered with at least one quote."}),
		NoAnswers: prometheus.NewCounter(prometheus.CounterOpts{Name: "verbatim_no_answers_total", Help: "Questions the library did not answer."}),
		AnswerLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "verbatim_answer_seconds", Help: "Time to answer a question (search, quote selection, grouping).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		Adds:      prometheus.NewCounter(prometheus.CounterOpts{Name: "verbatim_sources_added_total", Help: "Sources added from Discord."}),
		Refusals:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "verbatim_refusals_total", Help: "Requests refused, by reason."}, []string{"reason"}),
		FeedPolls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "verbatim_feed_polls_total", Help: "Reads of followed feeds, by outcome."}, []string{"outcome"}),
		FeedItems: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "verbatim_feed_items_total", Help: "Items of followed feeds, by what became of them."}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.Answers, m.NoAnswers, m.AnswerLatency, m.Adds, m.Refusals, m.FeedPolls, m.FeedItems)
	return m
}

// ObserveFeed counts one outcome of the feeds service (feeds.Options.Observe):
// what is "poll" or "item".
func (m *Metrics) ObserveFeed(what, outcome string) {
	switch what {
	case "poll":
		m.FeedPolls.WithLabelValues(outcome).Inc()
	case "item":
		m.FeedItems.WithLabelValues(outcome).Inc()
	}
}

// WatchSources registers a gauge of the library's size, read when scraped.
func (m *Metrics) WatchSources(count func() float64) {
	m.Sources = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "verbatim_sources", Help: "Sources in the library."}, count)
	m.Registry.MustRegister(m.Sources)
}

// WatchSegments registers a gauge of the search index's segments, read
// when scraped: an operator who sees it high after a bulk load runs
// `verbatim compact` (with serve stopped) for faster answers.
func (m *Metrics) WatchSegments(count func() float64) {
	m.Segments = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "verbatim_index_segments",
		Help: "Segments of the search index; many after a bulk load, which 'verbatim compact' merges."}, count)
	m.Registry.MustRegister(m.Segments)
}

// Handler serves /healthz (200 while health says nil, else 503 with what
// it said) and /metrics.
func (m *Metrics) Handler(health func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if health != nil {
			if err := health(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ok\n"))
	})
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return mux
}
