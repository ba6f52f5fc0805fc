package rules_test

import "github.com/sigconv/sigconv/sigmatest"

// goldenTargets are the conversions pinned for the shipped rules.
var goldenTargets = []sigmatest.Target{
	{Name: "xql"},
	{Name: "xql", Format: "json"},
	{Name: "xql", Format: "xsiam-correlation"},
	{Name: "spl"},
	{Name: "spl", Pipelines: []string{"cim"}},
	{Name: "spl", Format: "savedsearches"},
	{Name: "spl", Format: "es-correlation"},
	{Name: "kql"},
	{Name: "kql", Pipelines: []string{"sentinel-asim"}},
	{Name: "kql", Pipelines: []string{"sentinel-windows"}},
	{Name: "kql", Pipelines: []string{"sentinel-asim"}, Format: "sentinel-rule"},
	{Name: "kql", Format: "json"},
	{Name: "kql", Format: "defender-detection"},
}
