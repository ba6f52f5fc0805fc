package cli

// descriptions are the one-line descriptions "sigconv list" prints, keyed
// "target", "target/pipeline" and "target/format:NAME". The test of list
// fails when a registered target, pipeline or format has none.
var descriptions = map[string]string{
	"kql": "Microsoft KQL: Defender XDR advanced hunting and Microsoft Sentinel",
	"spl": "Splunk SPL searches",
	"xql": "Cortex XQL: Palo Alto Cortex XDR and XSIAM",

	"kql/defender-xdr":     "Defender XDR advanced hunting: the Device* tables",
	"kql/sentinel-asim":    "Microsoft Sentinel with ASIM: the unifying parsers and their normalized columns",
	"kql/sentinel-windows": "Microsoft Sentinel without ASIM: the SecurityEvent and Event tables",
	"spl/cim":              "Splunk CIM data models, searched with | tstats",
	"spl/sysmon":           "raw Sysmon events (Splunk Add-on for Sysmon)",
	"spl/windows-security": "raw Windows Security log events (Splunk Add-on for Microsoft Windows)",
	"xql/xdr-data":         "Cortex XDR / XSIAM raw endpoint data: dataset xdr_data",

	"kql/format:default":            "the query, multi-line",
	"kql/format:plain":              "one query per line",
	"kql/format:sentinel-rule":      "a Microsoft Sentinel scheduled analytics rule (YAML)",
	"kql/format:defender-detection": "a Microsoft Defender XDR custom detection rule (Graph detectionRules JSON body)",
	"kql/format:json":               "one JSON object per rule with its queries",
	"spl/format:default":            "the search",
	"spl/format:savedsearches":      "a savedsearches.conf stanza with schedule, severity and ATT&CK annotations",
	"spl/format:es-correlation":     "a Splunk Enterprise Security correlation search stanza (notable, risk, ATT&CK)",
	"spl/format:json":               "one JSON object per rule with its queries",
	"xql/format:default":            "the query with a comment header (title, description, ATT&CK)",
	"xql/format:plain":              "one query per line",
	"xql/format:xsiam-correlation":  "a Cortex XSIAM correlation rule (correlations/insert API JSON body)",
	"xql/format:json":               "one JSON object per rule with its queries",
}
