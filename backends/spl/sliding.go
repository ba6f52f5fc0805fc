package spl

import (
	"strconv"
	"strings"
	"time"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/sigma"
)

// sliding renders a two-rule temporal correlation with an exact sliding
// window (backends.CheckSlidingPair says why adjacent events suffice):
//
//	| multisearch [...] [...]                   tagged events of both rules
//	| where isnotnull(sigconv_host) AND sigconv_host!=""
//	| sort 0 _time
//	| streamstats current=f window=1 global=f last(sigconv_rule) as sigconv_prev_rule
//	    last(_time) as sigconv_prev_time by sigconv_host
//	| where isnotnull(sigconv_prev_rule) AND sigconv_prev_rule!=sigconv_rule AND _time-sigconv_prev_time<=300
//
// sort (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/sort)
// keeps 10,000 results by default; "sort 0" keeps all of them, in
// ascending _time. streamstats
// (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats)
// processes events in that order; current=f leaves the event itself out,
// window=1 with global=f keeps one previous event per by-group, so both
// last() values come from the previous event of the same group (a
// window of 1 is far below limits.conf max_stream_window, 10,000).
// Cost: one sort of both rules' events in the searched range.
func sliding(c *backends.Correlation, span string) ([]string, error) {
	if c.Source.Type == sigma.EventCount {
		return slidingCount(c, span)
	}
	if err := c.CheckSlidingPair("spl"); err != nil {
		return nil, err
	}
	stages, by, secs, err := slidingFrame(c)
	if err != nil {
		return nil, err
	}
	stages = append(stages,
		"sort 0 _time",
		"streamstats current=f window=1 global=f last(sigconv_rule) as sigconv_prev_rule last(_time) as sigconv_prev_time"+by,
		"where isnotnull(sigconv_prev_rule) AND sigconv_prev_rule!=sigconv_rule AND _time-sigconv_prev_time<="+secs)
	note := "```sigconv: " + c.SlidingPairNote(span) + "```"
	return []string{note + "\n" + strings.Join(stages, "\n| ")}, nil
}

// nonEmptyGroups is the where stage that drops events with a null or
// empty group value, which the specification does not correlate with
// each other (stats drops null groups, not ""); "" without group-by.
func nonEmptyGroups(c *backends.Correlation) string {
	var parts []string
	for _, g := range c.GroupBy {
		col := backends.GroupColumn(g.Name)
		parts = append(parts, "isnotnull("+col+") AND "+col+"!=\"\"")
	}
	if len(parts) == 0 {
		return ""
	}
	return "where " + strings.Join(parts, " AND ")
}

// slidingCount renders a one-rule event_count with an exact sliding
// window (backends.SlidingCount): after sort 0 _time, streamstats with
// current=t window=N global=f keeps the event and its N-1 predecessors in
// the group; N of them with the earliest at most one timespan back is a
// window of N events (N is at most 10,000, limits.conf max_stream_window).
func slidingCount(c *backends.Correlation, span string) ([]string, error) {
	n, err := c.SlidingCount("spl")
	if err != nil {
		return nil, err
	}
	stages, by, secs, err := slidingFrame(c)
	if err != nil {
		return nil, err
	}
	ns := strconv.Itoa(n)
	stages = append(stages,
		"sort 0 _time",
		"streamstats current=t window="+ns+" global=f count as sigconv_count min(_time) as sigconv_first_time"+by,
		"where sigconv_count>="+ns+" AND _time-sigconv_first_time<="+secs)
	note := "```sigconv: sliding " + span + " window: " + ns + " events within " + span + c.GroupNote() + " (each event and the " + strconv.Itoa(n-1) + " before it, after sorting by time)```"
	return []string{note + "\n" + strings.Join(stages, "\n| ")}, nil
}

// slidingFrame is what both sliding forms start with: the merged search
// of the rules and the stage dropping empty group values; with the
// streamstats "by" clause and the timespan in seconds.
func slidingFrame(c *backends.Correlation) (stages []string, by, secs string, err error) {
	stages, err = correlationSearch(c)
	if err != nil {
		return nil, "", "", err
	}
	var cols []string
	for _, g := range c.GroupBy {
		cols = append(cols, backends.GroupColumn(g.Name))
	}
	if w := nonEmptyGroups(c); w != "" {
		stages = append(stages, w)
	}
	if len(cols) > 0 {
		by = " by " + strings.Join(cols, " ")
	}
	return stages, by, strconv.FormatInt(int64(c.Source.Timespan/time.Second), 10), nil
}
