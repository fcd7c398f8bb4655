// SPDX-License-Identifier: Apache-2.0

// events-go: weft's events pipeline (docs/events-data.md) written the Go way,
// for tools/bench/events. A reader goroutine cuts the CSV into record-aligned
// chunks; parser goroutines validate and convert them; a sequencer puts the
// parsed chunks back in file order and deals the events to duplicate-id
// shards (by id), which pass the first occurrence of every id on to the
// aggregator shards (by key) over one channel each. Every aggregator groups
// its keys, sorts each key's events by (timestamp, event_id) and computes the
// aggregates, per-day partial sums and the detection rules.
//
//	events-go --spec SPEC.json --out DIR [--threads N]
//
// SPEC is the DuckDB oracle's (a tools/make-events truth file is one).
// Writes aggregates.csv, per_day.csv, flags.csv, quarantine_counts.csv and
// timings.json (seconds per stage) into DIR, as tools/duckdb/oracle.mjs does.
// Exit 2 on bad input, 3 on a failure.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Reasons in the order of docs/events-data.md (quarantine_counts.csv order).
var reasons = []string{"unparsable_field", "missing_field", "bad_timestamp", "non_finite",
	"out_of_range", "unknown_currency", "duplicate_event_id"}

const (
	unparsable = iota
	missing
	badTimestamp
	nonFinite
	outOfRange
	unknownCurrency
	duplicate
	nReasons
)

var columns = []string{"event_id", "account", "timestamp", "amount", "currency", "counterparty", "category"}

const usPerDay = 86400 * 1000000

type spec struct {
	Domain   string `json:"domain"`
	CSV      string `json:"csv"`
	Rates    string `json:"rates"`
	Base     string `json:"base"`
	Decimals *int   `json:"decimals"`
	Rules    struct {
		Velocity *struct {
			WindowUs int64 `json:"window_us"`
			K        int   `json:"k"`
		} `json:"velocity"`
		Structuring *struct {
			WindowUs  int64  `json:"window_us"`
			N         int    `json:"n"`
			Floor     string `json:"floor"`
			Threshold string `json:"threshold"`
		} `json:"structuring"`
		Zscore *struct {
			K          float64 `json:"k"`
			MinHistory int     `json:"min_history"`
		} `json:"zscore"`
	} `json:"rules"`
}

type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

func badInput(format string, a ...any) error { return inputError{fmt.Sprintf(format, a...)} }

// event is one valid transaction: x in base-currency minor units.
type event struct {
	id, ts, x int64
	key, cp   string
}

// rates: rate x 10^8 by (day, currency index); currency 0 is the base.
type rates struct {
	index    map[string]int
	firstDay int64
	byDay    [][]int64 // [day - firstDay][currency], 0 = none
}

func (r *rates) rate(day int64, cur int) (int64, bool) {
	if cur == 0 {
		return 100000000, true
	}
	d := day - r.firstDay
	if d < 0 || d >= int64(len(r.byDay)) || r.byDay[d][cur] == 0 {
		return 0, false
	}
	return r.byDay[d][cur], true
}

// decimal parses [+-]?digits[.digits] with at most `dp` fraction digits as an
// integer of 10^-dp units; ok is false for anything else or on overflow.
func decimal(s string, dp int) (v int64, ok bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	ip, fp, hasDot := strings.Cut(s, ".")
	if ip == "" || (hasDot && fp == "") || len(fp) > dp || !digits(ip) || !digits(fp) {
		return 0, false
	}
	for _, c := range ip {
		if v > (math.MaxInt64-9)/10 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for i := 0; i < dp; i++ {
		d := int64(0)
		if i < len(fp) {
			d = int64(fp[i] - '0')
		}
		if v > (math.MaxInt64-9)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// daysFromCivil: days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func num(s string) int64 {
	v := int64(0)
	for i := 0; i < len(s); i++ {
		v = v*10 + int64(s[i]-'0')
	}
	return v
}

// parseTime: microseconds since the epoch of YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z.
func parseTime(s string) (int64, bool) {
	n := len(s)
	if n < 20 || n == 21 || n > 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[n-1] != 'Z' {
		return 0, false
	}
	if !digits(s[0:4]) || !digits(s[5:7]) || !digits(s[8:10]) || !digits(s[11:13]) || !digits(s[14:16]) ||
		!digits(s[17:19]) {
		return 0, false
	}
	frac := int64(0)
	if n > 20 {
		f := s[20 : n-1]
		if s[19] != '.' || !digits(f) {
			return 0, false
		}
		frac = num(f)
		for i := len(f); i < 6; i++ {
			frac *= 10
		}
	}
	y, mo, d := num(s[0:4]), num(s[5:7]), num(s[8:10])
	h, mi, se := num(s[11:13]), num(s[14:16]), num(s[17:19])
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59 {
		return 0, false
	}
	return (daysFromCivil(y, mo, d)*86400+h*3600+mi*60+se)*1000000 + frac, true
}

func isoTime(us int64) string {
	day := floorDiv(us, usPerDay)
	rest := us - day*usPerDay
	y, m, d := civilFromDays(day)
	s := rest / 1000000
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d, s/3600, s/60%60, s%60, rest%1000000)
}

func isoDay(day int64) string {
	y, m, d := civilFromDays(day)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func nonFiniteText(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	s = strings.ToLower(s)
	return s == "nan" || s == "inf" || s == "infinity"
}

func plainDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	ip, fp, dot := strings.Cut(s, ".")
	return ip != "" && digits(ip) && (!dot || (fp != "" && digits(fp)))
}

// convert: round_half_even(minor * rate_e8 / 10^8) in int64 arithmetic,
// splitting |minor| = a1 10^8 + a0 (rates below 900).
func convert(minor, rate int64) int64 {
	am := minor
	if am < 0 {
		am = -am
	}
	lo := (am % 100000000) * rate
	q := (am/100000000)*rate + lo/100000000
	r := lo % 100000000
	if 2*r > 100000000 || (2*r == 100000000 && q%2 == 1) {
		q++
	}
	if minor < 0 {
		return -q
	}
	return q
}

// chunk: record-aligned text, numbered in file order.
type chunk struct {
	seq  int
	text []byte
}

// parsed: a chunk's valid events (before the duplicate check) and the
// counts of its quarantined rows by reason.
type parsed struct {
	seq    int
	events []event
	bad    [nReasons]int64
	rows   int64
	err    error
}

type config struct {
	dp       int
	base     string
	rates    *rates
	maxMinor int64
}

// splitRecords cuts text into fields per record (RFC 4180), calling fn for
// each non-blank record; a field's bytes are a substring of `text` unless it
// held a doubled quote. malformed is set for a quote inside an unquoted field
// or text after a closing quote.
func splitRecords(text string, fn func(fields []string, malformed bool)) {
	fields := make([]string, 0, 8)
	i, n := 0, len(text)
	for i < n {
		fields = fields[:0]
		malformed := false
		for {
			if i < n && text[i] == '"' {
				// quoted field
				j := i + 1
				var b []byte
				start := j
				for {
					k := strings.IndexByte(text[j:], '"')
					if k < 0 {
						j = n
						malformed = true
						break
					}
					j += k
					if j+1 < n && text[j+1] == '"' {
						b = append(b, text[start:j+1]...)
						j += 2
						start = j
						continue
					}
					break
				}
				var f string
				if b != nil {
					f = string(append(b, text[start:min(j, n)]...))
				} else {
					f = text[start:min(j, n)]
				}
				fields = append(fields, f)
				i = j + 1
				// after the closing quote: ',' or the record's end
				for i < n && text[i] != ',' && text[i] != '\n' {
					if !(text[i] == '\r' && (i+1 == n || text[i+1] == '\n')) {
						malformed = true
					}
					i++
				}
			} else {
				j := i
				for j < n && text[j] != ',' && text[j] != '\n' {
					if text[j] == '"' {
						malformed = true
					}
					j++
				}
				end := j
				if end > i && text[end-1] == '\r' && (end == n || text[end] == '\n') {
					end--
				}
				fields = append(fields, text[i:end])
				i = j
			}
			if i < n && text[i] == ',' {
				i++
				continue
			}
			i++ // the newline (or past the end)
			break
		}
		if len(fields) == 1 && fields[0] == "" && !malformed {
			continue // a blank line is not a row
		}
		fn(fields, malformed)
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func parseChunk(c chunk, cfg *config) parsed {
	out := parsed{seq: c.seq, events: make([]event, 0, len(c.text)/70)}
	text := string(c.text) // one copy: every field is a substring of it
	splitRecords(text, func(f []string, malformed bool) {
		out.rows++
		reason := -1
		var id, ts, minor int64
		cur := 0
		switch {
		case len(f) < len(columns):
			reason = missing
		default:
			for _, s := range f[:min(len(f), len(columns))] {
				if s == "" {
					reason = missing
					break
				}
			}
		}
		if reason < 0 {
			var err error
			id, err = strconv.ParseInt(f[0], 10, 64)
			if len(f) > len(columns) || malformed || err != nil || f[0][0] == '+' {
				reason = unparsable
			}
		}
		if reason < 0 {
			var ok bool
			if ts, ok = parseTime(f[2]); !ok {
				reason = badTimestamp
			}
		}
		if reason < 0 {
			if nonFiniteText(f[3]) {
				reason = nonFinite
			} else if !plainDecimal(f[3]) {
				reason = unparsable
			} else {
				var ok bool
				minor, ok = decimal(f[3], cfg.dp)
				if !ok || minor > cfg.maxMinor || minor < -cfg.maxMinor {
					reason = outOfRange
				}
			}
		}
		if reason < 0 {
			if f[4] == cfg.base {
				cur = 0
			} else if k, ok := cfg.rates.index[f[4]]; ok {
				cur = k
			} else {
				reason = unknownCurrency
			}
		}
		if reason >= 0 {
			out.bad[reason]++
			return
		}
		day := floorDiv(ts, usPerDay)
		rate, ok := cfg.rates.rate(day, cur)
		if !ok && out.err == nil {
			out.err = badInput("%s: no rate for %s on %s: every currency needs a rate for every day of the events",
				"rates", f[4], isoDay(day))
		}
		out.events = append(out.events, event{id: id, ts: ts, x: convert(minor, rate), key: f[1], cp: f[5]})
	})
	return out
}

// reader sends the file in record-aligned chunks of about size bytes: a
// chunk ends at the last newline outside quotes (the quote parity carries
// over from chunk to chunk).
func reader(r io.Reader, size int, out chan<- chunk) error {
	defer close(out)
	var carry []byte
	seq := 0
	buf := make([]byte, size)
	for {
		n, err := io.ReadFull(r, buf)
		data := append(carry, buf[:n]...)
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		// data starts at a record start: scan it for quotes and newlines,
		// remembering the last newline outside quotes
		cut := -1
		q := false
		for i := 0; i < len(data); {
			k := bytes.IndexAny(data[i:], "\"\n")
			if k < 0 {
				break
			}
			i += k
			if data[i] == '"' {
				q = !q
			} else if !q {
				cut = i
			}
			i++
		}
		if eof {
			if len(data) > 0 {
				out <- chunk{seq, data}
			}
			return nil
		}
		if cut < 0 {
			carry = data // no record end yet: read on
			continue
		}
		out <- chunk{seq, data[:cut+1]}
		seq++
		carry = append([]byte(nil), data[cut+1:]...)
	}
}

type batch []event

// fnv64: FNV-1a of the key's bytes (weft's key hash).
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func firstOf(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func mix(id int64) uint64 {
	z := uint64(id) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// keyResult: one key's aggregate row and its flags.
type aggRow struct {
	key                  string
	count, sum, min, max int64
	mean, stddev         float64
	first, last          int64
	distinct             int
}

type flagRow struct {
	rule, key string
	ids       []int64
	score     float64
}

type shardResult struct {
	aggs   []aggRow
	perDay map[int64][2]int64
	flags  []flagRow
	tGroup time.Duration
	tAgg   time.Duration
	tRules time.Duration
}

// windowIslands: sliding-window count flags over events in (ts, id) order.
func windowIslands(rule, key string, ev []event, w int64, hot func(int) bool, out []flagRow) []flagRow {
	s := 0
	lo, hi, score, open := 0, -1, 0, false
	emit := func() {
		ids := make([]int64, 0, hi-lo+1)
		for i := lo; i <= hi; i++ {
			ids = append(ids, ev[i].id)
		}
		sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
		out = append(out, flagRow{rule, key, ids, float64(score)})
	}
	for j := range ev {
		for ev[j].ts-ev[s].ts >= w {
			s++
		}
		c := j - s + 1
		if !hot(c) {
			continue
		}
		if open && s <= hi {
			hi = j
			if c > score {
				score = c
			}
			continue
		}
		if open {
			emit()
		}
		lo, hi, score, open = s, j, c, true
	}
	if open {
		emit()
	}
	return out
}

func analyse(sp *spec, dp int, evs []event) shardResult {
	res := shardResult{perDay: map[int64][2]int64{}}
	t0 := time.Now()
	idx := map[string]int{}
	var groups [][]event
	for _, e := range evs {
		k, ok := idx[e.key]
		if !ok {
			k = len(groups)
			idx[e.key] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], e)
	}
	keys := make([]string, 0, len(idx))
	for k := range idx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, g := range groups {
		sort.Slice(g, func(a, b int) bool {
			if g[a].ts != g[b].ts {
				return g[a].ts < g[b].ts
			}
			return g[a].id < g[b].id
		})
	}
	res.tGroup = time.Since(t0)
	t0 = time.Now()
	cps := map[string]struct{}{}
	curDay, dayCount, daySum := int64(math.MinInt64), int64(0), int64(0)
	flush := func() {
		if dayCount > 0 {
			d := res.perDay[curDay]
			res.perDay[curDay] = [2]int64{d[0] + dayCount, d[1] + daySum}
		}
		dayCount, daySum = 0, 0
	}
	for _, k := range keys {
		g := groups[idx[k]]
		r := aggRow{key: k, count: int64(len(g)), min: math.MaxInt64, max: math.MinInt64,
			first: g[0].ts, last: g[0].ts}
		for k := range cps {
			delete(cps, k)
		}
		for _, e := range g {
			r.sum += e.x
			if e.x < r.min {
				r.min = e.x
			}
			if e.x > r.max {
				r.max = e.x
			}
			if e.ts < r.first {
				r.first = e.ts
			}
			if e.ts > r.last {
				r.last = e.ts
			}
			cps[e.cp] = struct{}{}
			// per day: a key's events are in time order, so add up runs of one day
			if day := floorDiv(e.ts, usPerDay); day != curDay {
				flush()
				curDay = day
			}
			dayCount++
			daySum += e.x
		}
		flush()
		r.distinct = len(cps)
		r.mean = float64(r.sum) / float64(r.count)
		r.stddev = math.NaN()
		if len(g) > 1 {
			m, ss := r.mean, 0.0
			for _, e := range g {
				d := float64(e.x) - m
				ss += d * d
			}
			r.stddev = math.Sqrt(ss / float64(len(g)-1))
		}
		res.aggs = append(res.aggs, r)
	}
	res.tAgg = time.Since(t0)
	t0 = time.Now()
	rules := &sp.Rules
	var floor, threshold int64
	if rules.Structuring != nil {
		floor, _ = decimal(rules.Structuring.Floor, dp)
		threshold, _ = decimal(rules.Structuring.Threshold, dp)
	}
	var band []event
	for _, k := range keys {
		g := groups[idx[k]]
		if v := rules.Velocity; v != nil {
			res.flags = windowIslands("velocity", k, g, v.WindowUs, func(c int) bool { return c > v.K }, res.flags)
		}
		if s := rules.Structuring; s != nil {
			band = band[:0]
			for _, e := range g {
				if e.x >= floor && e.x < threshold {
					band = append(band, e)
				}
			}
			res.flags = windowIslands("structuring", k, band, s.WindowUs, func(c int) bool { return c >= s.N }, res.flags)
		}
		if z := rules.Zscore; z != nil {
			n, m, m2 := 0, 0.0, 0.0 // Welford over the history
			for _, e := range g {
				x := float64(e.x)
				if n >= z.MinHistory && n > 1 {
					sd := math.Sqrt(m2 / float64(n-1))
					if sd > 0 && math.Abs(x-m) > z.K*sd {
						res.flags = append(res.flags, flagRow{"zscore", k, []int64{e.id}, (x - m) / sd})
					}
				}
				n++
				d := x - m
				m += d / float64(n)
				m2 += d * (x - m)
			}
		}
	}
	res.tRules = time.Since(t0)
	return res
}

func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func loadSpec(file string) (*spec, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, badInput("%s: %v", file, err)
	}
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		return nil, badInput("%s: not a spec (%v)", file, err)
	}
	if sp.Domain != "transactions" {
		return nil, badInput("%s: events-go handles the transactions domain only", file)
	}
	dir := filepath.Dir(file)
	for _, p := range []*string{&sp.CSV, &sp.Rates} {
		if !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	if sp.Decimals == nil {
		two := 2
		sp.Decimals = &two
	}
	return &sp, nil
}

func loadRates(file, base string) (*rates, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, badInput("%s: %v", file, err)
	}
	r := &rates{index: map[string]int{base: 0}, firstDay: math.MaxInt64}
	type entry struct {
		day  int64
		cur  int
		rate int64
	}
	var all []entry
	last := int64(math.MinInt64)
	lines := strings.Split(strings.TrimRight(string(raw), "\r\n"), "\n")
	for i, line := range lines[1:] {
		f := strings.Split(strings.TrimRight(line, "\r"), ",")
		if len(f) != 3 {
			return nil, badInput("%s:%d: expected date,currency,rate", file, i+2)
		}
		day, ok := parseTime(f[0] + "T00:00:00Z")
		rate, ok2 := decimal(f[2], 8)
		if !ok || !ok2 || rate <= 0 || rate >= 90000000000 {
			return nil, badInput("%s:%d: bad date or rate", file, i+2)
		}
		if f[1] == base {
			if rate != 100000000 {
				return nil, badInput("%s: the base currency %s has a rate other than 1", file, base)
			}
			continue
		}
		k, seen := r.index[f[1]]
		if !seen {
			k = len(r.index)
			r.index[f[1]] = k
		}
		d := day / usPerDay
		all = append(all, entry{d, k, rate})
		if d < r.firstDay {
			r.firstDay = d
		}
		if d > last {
			last = d
		}
	}
	if len(all) > 0 {
		r.byDay = make([][]int64, last-r.firstDay+1)
		for i := range r.byDay {
			r.byDay[i] = make([]int64, len(r.index))
		}
		for _, e := range all {
			if r.byDay[e.day-r.firstDay][e.cur] != 0 {
				return nil, badInput("%s: (%s, currency %d) given twice", file, isoDay(e.day), e.cur)
			}
			r.byDay[e.day-r.firstDay][e.cur] = e.rate
		}
	}
	return r, nil
}

func run(specFile, outDir string, threads, chunkBytes int) error {
	start := time.Now()
	sp, err := loadSpec(specFile)
	if err != nil {
		return err
	}
	rt, err := loadRates(sp.Rates, sp.Base)
	if err != nil {
		return err
	}
	dp := *sp.Decimals
	maxMinor := int64(1000000000000)
	for i := 0; i < dp; i++ {
		maxMinor *= 10
	}
	cfg := &config{dp: dp, base: sp.Base, rates: rt, maxMinor: maxMinor}
	f, err := os.Open(sp.CSV)
	if err != nil {
		return badInput("%s: %v", sp.CSV, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	header, err := br.ReadString('\n')
	if err != nil || strings.TrimRight(header, "\r\n") != strings.Join(columns, ",") {
		return badInput("%s: the header must be %s", sp.CSV, strings.Join(columns, ","))
	}

	// The pipeline: reader -> parsers -> sequencer -> id shards -> key shards.
	chunks := make(chan chunk, 2*threads)
	parsedC := make(chan parsed, 2*threads)
	idShards := make([]chan batch, threads)
	keyShards := make([]chan batch, threads)
	for i := range idShards {
		idShards[i] = make(chan batch, 4)
		keyShards[i] = make(chan batch, 4*threads)
	}
	var readErr error
	go func() { readErr = reader(br, chunkBytes, chunks) }()

	var parsers sync.WaitGroup
	for i := 0; i < threads; i++ {
		parsers.Add(1)
		go func() {
			defer parsers.Done()
			for c := range chunks {
				parsedC <- parseChunk(c, cfg)
			}
		}()
	}
	go func() { parsers.Wait(); close(parsedC) }()

	var bad [nReasons]int64
	var rows int64
	var firstErr error
	go func() { // sequencer: file order, then deal by event id
		pending := map[int]parsed{}
		next := 0
		for p := range parsedC {
			pending[p.seq] = p
			for {
				q, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				rows += q.rows
				for r := range bad {
					bad[r] += q.bad[r]
				}
				if q.err != nil && firstErr == nil {
					firstErr = q.err
				}
				parts := make([]batch, threads)
				for _, e := range q.events {
					s := mix(e.id) % uint64(threads)
					parts[s] = append(parts[s], e)
				}
				for s, b := range parts {
					idShards[s] <- b
				}
			}
		}
		for _, c := range idShards {
			close(c)
		}
	}()

	dups := make([]int64, threads)
	var dedupers sync.WaitGroup
	for i := 0; i < threads; i++ {
		dedupers.Add(1)
		go func(i int) { // the first occurrence of every id goes on, by key
			defer dedupers.Done()
			seen := map[int64]struct{}{}
			for b := range idShards[i] {
				parts := make([]batch, threads)
				for _, e := range b {
					if _, dup := seen[e.id]; dup {
						dups[i]++
						continue
					}
					seen[e.id] = struct{}{}
					s := fnv64(e.key) % uint64(threads)
					parts[s] = append(parts[s], e)
				}
				for s, p := range parts {
					if len(p) > 0 {
						keyShards[s] <- p
					}
				}
			}
		}(i)
	}
	go func() {
		dedupers.Wait()
		for _, c := range keyShards {
			close(c)
		}
	}()

	results := make([]shardResult, threads)
	var ingestEnd []time.Time = make([]time.Time, threads)
	var aggregators sync.WaitGroup
	for i := 0; i < threads; i++ {
		aggregators.Add(1)
		go func(i int) {
			defer aggregators.Done()
			var evs []event
			for b := range keyShards[i] {
				evs = append(evs, b...)
			}
			ingestEnd[i] = time.Now()
			if len(evs) > 0 {
				results[i] = analyse(sp, dp, evs)
			} else {
				results[i] = shardResult{perDay: map[int64][2]int64{}}
			}
		}(i)
	}
	aggregators.Wait()
	if readErr != nil {
		return readErr
	}
	if firstErr != nil {
		return firstErr
	}
	for _, d := range dups {
		bad[duplicate] += d
	}
	analysed := time.Now()

	// Merge the shards and write the tables.
	var aggs []aggRow
	perDay := map[int64][2]int64{}
	var flags []flagRow
	timings := map[string]any{"threads": threads}
	var ingest, group, agg, rules time.Duration
	for i, r := range results {
		aggs = append(aggs, r.aggs...)
		flags = append(flags, r.flags...)
		for d, v := range r.perDay {
			p := perDay[d]
			perDay[d] = [2]int64{p[0] + v[0], p[1] + v[1]}
		}
		if t := ingestEnd[i].Sub(start); t > ingest {
			ingest = t
		}
		if r.tGroup > group {
			group = r.tGroup
		}
		if r.tAgg > agg {
			agg = r.tAgg
		}
		if r.tRules > rules {
			rules = r.tRules
		}
	}
	sort.Slice(aggs, func(a, b int) bool { return aggs[a].key < aggs[b].key })
	sort.Slice(flags, func(a, b int) bool {
		x, y := flags[a], flags[b]
		if x.rule != y.rule {
			return x.rule < y.rule
		}
		if x.key != y.key {
			return x.key < y.key
		}
		return x.ids[0] < y.ids[0]
	})
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	write := func(name string, fill func(w *bufio.Writer)) error {
		fh, err := os.Create(filepath.Join(outDir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(fh, 1<<20)
		fill(w)
		if err := w.Flush(); err != nil {
			return err
		}
		return fh.Close()
	}
	err = firstOf(
		write("aggregates.csv", func(w *bufio.Writer) {
			w.WriteString("account,count,sum,mean,stddev,min,max,first_time,last_time,distinct_counterparties\n")
			for _, r := range aggs {
				fmt.Fprintf(w, "%s,%d,%d,%s,%s,%d,%d,%s,%s,%d\n", r.key, r.count, r.sum, fmtFloat(r.mean),
					fmtFloat(r.stddev), r.min, r.max, isoTime(r.first), isoTime(r.last), r.distinct)
			}
		}),
		write("per_day.csv", func(w *bufio.Writer) {
			days := make([]int64, 0, len(perDay))
			for d := range perDay {
				days = append(days, d)
			}
			sort.Slice(days, func(a, b int) bool { return days[a] < days[b] })
			w.WriteString("day,count,sum\n")
			for _, d := range days {
				fmt.Fprintf(w, "%s,%d,%d\n", isoDay(d), perDay[d][0], perDay[d][1])
			}
		}),
		write("flags.csv", func(w *bufio.Writer) {
			w.WriteString("rule,key,event_ids,score\n")
			for _, fl := range flags {
				ids := make([]string, len(fl.ids))
				for i, id := range fl.ids {
					ids[i] = strconv.FormatInt(id, 10)
				}
				fmt.Fprintf(w, "%s,%s,%s,%s\n", fl.rule, fl.key, strings.Join(ids, ";"), fmtFloat(fl.score))
			}
		}),
		write("quarantine_counts.csv", func(w *bufio.Writer) {
			w.WriteString("reason,count\n")
			for i, r := range reasons {
				fmt.Fprintf(w, "%s,%d\n", r, bad[i])
			}
		}))
	if err != nil {
		return err
	}
	end := time.Now()
	timings["rows"] = rows
	timings["ingest"] = ingest.Seconds() // read, parse, duplicates, shuffle: one pipeline
	timings["group"] = group.Seconds()   // per key, sorted by (timestamp, event_id)
	timings["aggregate"] = agg.Seconds()
	timings["detect"] = rules.Seconds()
	timings["write"] = end.Sub(analysed).Seconds()
	timings["total"] = end.Sub(start).Seconds()
	raw, _ := json.MarshalIndent(timings, "", " ")
	return os.WriteFile(filepath.Join(outDir, "timings.json"), append(raw, '\n'), 0o644)
}

func main() {
	specFile := flag.String("spec", "", "the spec (a tools/make-events truth file)")
	outDir := flag.String("out", "", "the output directory")
	threads := flag.Int("threads", runtime.GOMAXPROCS(0), "parser, deduplicator and aggregator goroutines each")
	chunkBytes := flag.Int("chunk-bytes", 4<<20, "bytes per chunk")
	flag.Parse()
	if *specFile == "" || *outDir == "" || *threads < 1 {
		fmt.Fprintln(os.Stderr, "usage: events-go --spec SPEC.json --out DIR [--threads N]")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*threads)
	if err := run(*specFile, *outDir, *threads, *chunkBytes); err != nil {
		fmt.Fprintf(os.Stderr, "events-go: %v\n", err)
		var ie inputError
		if errors.As(err, &ie) {
			os.Exit(2)
		}
		os.Exit(3)
	}
}
