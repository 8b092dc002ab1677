// promql-eval runs PromQL through Prometheus's own parser and engine, for the chart tests
// (test/helm/): which metric names each expression selects, and what it evaluates to over
// synthetic series. One JSON request on stdin, one JSON response on stdout.
//
// Request:
//
//	{"exprs": ["..."], "names": ["metric", ...],
//	 "series": "load 1m\n  metric{a=\"b\"} 0+1x30", "evals": [{"expr": "...", "at": "20m"}]}
//
// For each of exprs: the parse error, or every __name__ matcher of every selector with the names
// (from names) it matches. For each of evals: the error, or the instant vector at time `at`
// after loading `series` (promqltest's load syntax, the one `promtool test rules` uses).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
)

type request struct {
	Exprs  []string      `json:"exprs"`
	Names  []string      `json:"names"`
	Series string        `json:"series"`
	Evals  []evalRequest `json:"evals"`
	// Resolution of subqueries without a step ([5m:]): Prometheus's evaluation_interval (default 1m).
	EvaluationInterval string `json:"evaluationInterval"`
}

type evalRequest struct {
	Expr string `json:"expr"`
	At   string `json:"at"`
}

type nameMatcher struct {
	Type    string   `json:"type"`
	Value   string   `json:"value"`
	Matches []string `json:"matches"`
}

type selector struct {
	Text         string        `json:"text"`
	NameMatchers []nameMatcher `json:"nameMatchers"`
}

type inspection struct {
	Expr      string     `json:"expr"`
	Error     string     `json:"error,omitempty"`
	Selectors []selector `json:"selectors"`
}

type sample struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

type evalResult struct {
	Expr    string   `json:"expr"`
	At      string   `json:"at"`
	Error   string   `json:"error,omitempty"`
	Samples []sample `json:"samples"`
}

type response struct {
	Inspections []inspection `json:"inspections"`
	Evals       []evalResult `json:"evals"`
}

func inspect(p parser.Parser, expr string, names []string) inspection {
	out := inspection{Expr: expr, Selectors: []selector{}}
	node, err := p.ParseExpr(expr)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		sel := selector{Text: vs.String(), NameMatchers: []nameMatcher{}}
		for _, m := range vs.LabelMatchers {
			if m.Name != labels.MetricName {
				continue
			}
			nm := nameMatcher{Type: m.Type.String(), Value: m.Value, Matches: []string{}}
			for _, name := range names {
				if m.Matches(name) {
					nm.Matches = append(nm.Matches, name)
				}
			}
			sel.NameMatchers = append(sel.NameMatchers, nm)
		}
		out.Selectors = append(out.Selectors, sel)
		return nil
	})
	return out
}

func evaluate(series string, evals []evalRequest, interval string) ([]evalResult, error) {
	results := make([]evalResult, 0, len(evals))
	if len(evals) == 0 {
		return results, nil
	}
	if interval == "" {
		interval = "1m"
	}
	step, err := model.ParseDuration(interval)
	if err != nil {
		return nil, fmt.Errorf("evaluationInterval %q: %w", interval, err)
	}
	ll, err := promqltest.NewLazyLoader(series, promqltest.LazyLoaderOpts{EnableAtModifier: true, EnableNegativeOffset: true})
	if err != nil {
		return nil, fmt.Errorf("series: %w", err)
	}
	defer ll.Close()
	ll.SubqueryInterval = time.Duration(step)
	for _, e := range evals {
		res := evalResult{Expr: e.Expr, At: e.At, Samples: []sample{}}
		d, err := model.ParseDuration(e.At)
		if err != nil {
			return nil, fmt.Errorf("at %q: %w", e.At, err)
		}
		at := time.Unix(0, 0).UTC().Add(time.Duration(d))
		var loadErr error
		ll.WithSamplesTill(at, func(err error) { loadErr = err })
		if loadErr != nil {
			return nil, fmt.Errorf("loading series up to %s: %w", e.At, loadErr)
		}
		q, err := ll.QueryEngine().NewInstantQuery(ll.Context(), ll.Queryable(), nil, e.Expr, at)
		if err != nil {
			res.Error = err.Error()
			results = append(results, res)
			continue
		}
		r := q.Exec(context.Background())
		switch {
		case r.Err != nil:
			res.Error = r.Err.Error()
		default:
			vec, err := r.Vector()
			if err != nil {
				res.Error = err.Error()
				break
			}
			res.Samples = samplesOf(vec)
		}
		q.Close()
		results = append(results, res)
	}
	return results, nil
}

func samplesOf(vec promql.Vector) []sample {
	out := make([]sample, 0, len(vec))
	for _, s := range vec {
		out = append(out, sample{Labels: s.Metric.Map(), Value: s.F})
	}
	return out
}

func run() error {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	p := parser.NewParser(parser.Options{})
	resp := response{Inspections: make([]inspection, 0, len(req.Exprs))}
	for _, e := range req.Exprs {
		resp.Inspections = append(resp.Inspections, inspect(p, e, req.Names))
	}
	evals, err := evaluate(req.Series, req.Evals, req.EvaluationInterval)
	if err != nil {
		return err
	}
	resp.Evals = evals
	return json.NewEncoder(os.Stdout).Encode(resp)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "promql-eval:", err)
		os.Exit(1)
	}
}
