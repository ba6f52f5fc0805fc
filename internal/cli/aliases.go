package cli

// pipelineAliases are the pipeline names sigma-cli users type for the
// same data, by canonical target: pySigma-backend-kusto's README converts
// with "sigma convert -t kusto -p microsoft_xdr", the Defender XDR
// advanced hunting tables that defender-xdr maps.
var pipelineAliases = map[string]map[string]string{
	"kql": {"microsoft_xdr": "defender-xdr"},
}

// pipelineName resolves a pipeline alias of a target.
func pipelineName(target, name string) string {
	if canon, ok := pipelineAliases[target][name]; ok {
		return canon
	}
	return name
}
