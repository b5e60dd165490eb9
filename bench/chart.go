package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
)

// The chart has two panels side by side: best wall time against N, and peak
// resident memory against N, both on logarithmic axes so 10,000 and
// 1,000,000 users fit one picture. It is plain SVG written by hand.
const (
	panelW, panelH = 420.0, 300.0
	marginL        = 60.0
	marginT        = 40.0
	marginB        = 50.0
	gap            = 80.0
)

var seriesColors = []string{"#555555", "#999999", "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"}

type series struct {
	name   string
	color  string
	points [][2]float64 // N, value
}

func renderChart(results []result) []byte {
	var timeS, memS []series
	names := []string{rowLdapsearch, rowLdapsearchAll, rowFull, rowResync, rowChanged, rowIncremental}
	for i, name := range names {
		ts := series{name: name, color: seriesColors[i%len(seriesColors)]}
		ms := ts
		for _, r := range results {
			if m, ok := r.row(name); ok {
				ts.points = append(ts.points, [2]float64{float64(r.N), m.best().Wall.Seconds()})
				ms.points = append(ms.points, [2]float64{float64(r.N), float64(m.maxRSS()) / 1e6})
			}
		}
		if len(ts.points) > 0 {
			timeS = append(timeS, ts)
			if name != rowLdapsearch && name != rowLdapsearchAll {
				memS = append(memS, ms)
			}
		}
	}
	width := marginL*2 + panelW*2 + gap
	height := marginT + panelH + marginB + 20*float64(len(timeS)) + 10
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	panel(&b, marginL, "best wall time (s)", timeS)
	panel(&b, marginL+panelW+gap, "peak resident memory (MB)", memS)
	y := marginT + panelH + marginB
	for i, s := range timeS {
		ly := y + 20*float64(i)
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="2"/>`, marginL, ly-4, marginL+24, ly-4, s.color)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s</text>`+"\n", marginL+30, ly, esc(s.name))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// panel draws one log-log plot with its axes, grid and series.
func panel(b *bytes.Buffer, x0 float64, title string, ss []series) {
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, p := range s.points {
			minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
			if p[1] > 0 {
				minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
			}
		}
	}
	if math.IsInf(minX, 0) || math.IsInf(minY, 0) {
		return
	}
	lx0, lx1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	ly0, ly1 := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	px := func(v float64) float64 { return x0 + (math.Log10(v)-lx0)/(lx1-lx0)*panelW }
	py := func(v float64) float64 { return marginT + panelH - (math.Log10(v)-ly0)/(ly1-ly0)*panelH }
	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" font-size="14" font-weight="bold">%s</text>`+"\n", x0, marginT-15, esc(title))
	fmt.Fprintf(b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#333"/>`+"\n", x0, marginT, panelW, panelH)
	for e := lx0; e <= lx1; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`, px(v), marginT, px(v), marginT+panelH)
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", px(v), marginT+panelH+16, esc(humanN(v)))
	}
	for e := ly0; e <= ly1; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#ddd"/>`, x0, py(v), x0+panelW, py(v))
		fmt.Fprintf(b, `<text x="%.0f" y="%.1f" text-anchor="end">%g</text>`+"\n", x0-6, py(v)+4, v)
	}
	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" text-anchor="middle">users in the directory (N)</text>`+"\n", x0+panelW/2, marginT+panelH+34)
	for _, s := range ss {
		var pts bytes.Buffer
		for _, p := range s.points {
			if p[1] > 0 {
				fmt.Fprintf(&pts, "%.1f,%.1f ", px(p[0]), py(p[1]))
			}
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", bytes.TrimSpace(pts.Bytes()), s.color)
		for _, p := range s.points {
			if p[1] > 0 {
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: N=%.0f, %.3g</title></circle>`+"\n",
					px(p[0]), py(p[1]), s.color, esc(s.name), p[0], p[1])
			}
		}
	}
}

func humanN(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
