package web

import (
	"fmt"
	"html"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH = 760.0, 260.0
	padL, padR     = 48.0, 56.0
	padT, padB     = 16.0, 40.0
)

// Series colours: created, updated, deactivated, duration.
var chartColours = [4]string{"#2f855a", "#2b6cb0", "#c53030", "#b7791f"}

// runChart draws the run history as inline SVG: per run a stacked bar of
// users created, updated and deactivated (left axis) and a line of the run's
// duration (right axis), oldest run on the left. runs come newest first.
func runChart(runs []store.Run) template.HTML {
	if len(runs) == 0 {
		return template.HTML(`<p class="muted">No runs yet: the chart appears after the first sync.</p>`)
	}
	rs := slices.Clone(runs)
	slices.Reverse(rs)
	maxChanges, maxMs := 1, int64(1)
	for _, r := range rs {
		maxChanges = max(maxChanges, r.Created+r.Updated+r.Deactivated)
		maxMs = max(maxMs, r.DurationMs)
	}
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	step := plotW / float64(len(rs))
	barW := min(max(step*0.6, 2), 40)
	y := func(v int) float64 { return plotH * float64(v) / float64(maxChanges) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="chart-title">Run history</title><desc id="chart-desc">Users created, updated and deactivated per run (bars, left axis) and run duration (line, right axis) for the last %d runs.</desc>`, len(rs))
	// Axes and grid.
	for i := 0; i <= 4; i++ {
		gy := padT + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e2e8f0"/>`, padL, gy, padL+plotW, gy)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="11" fill="#4a5568">%d</text>`, padL-6, gy+4, maxChanges*i/4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#4a5568">%s</text>`, padL+plotW+6, gy+4,
			html.EscapeString(shortDuration(maxMs*int64(i)/4)))
	}
	var line []string
	for i, r := range rs {
		x := padL + step*float64(i) + (step-barW)/2
		base := padT + plotH
		tip := html.EscapeString(fmt.Sprintf("Run %d (%s), %s: %d created, %d updated, %d deactivated, %s",
			r.ID, r.Connection, r.Status, r.Created, r.Updated, r.Deactivated, shortDuration(r.DurationMs)))
		fmt.Fprintf(&b, `<g><title>%s</title>`, tip)
		for k, v := range []int{r.Created, r.Updated, r.Deactivated} {
			h := y(v)
			if h <= 0 {
				continue
			}
			base -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, base, barW, h, chartColours[k])
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="transparent"/></g>`, padL+step*float64(i), padT, step, plotH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10" fill="#4a5568">%d</text>`, x+barW/2, padT+plotH+14, r.ID)
		line = append(line, fmt.Sprintf("%.1f,%.1f", x+barW/2, padT+plotH-plotH*float64(r.DurationMs)/float64(maxMs)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(line, " "), chartColours[3])
	for _, p := range line {
		xy := strings.Split(p, ",")
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, xy[0], xy[1], chartColours[3])
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" fill="#4a5568">run</text>`, padL+plotW/2, chartH-6)
	b.WriteString(`</svg>`)
	b.WriteString(`<ul class="legend">`)
	for k, name := range []string{"created", "updated", "deactivated", "duration (right axis)"} {
		fmt.Fprintf(&b, `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="%s"/></svg> %s</li>`, chartColours[k], name)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

func shortDuration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", ms)
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}
