package xql

import (
	"embed"
	"fmt"
	"sync"

	"github.com/sigconv/sigconv/pipeline"
)

//go:embed pipelines/*.yml
var pipelineFiles embed.FS

// builtin is the target's embedded data, parsed: the built-in pipeline
// and the xdr_data schema.
type builtin struct {
	pipelines []*pipeline.Pipeline
	schema    *Schema
}

// loadBuiltin parses the embedded data once, at the target's first use
// rather than at start-up: a process converting to another target, or
// only listing targets, never pays for it (docs/speed.md).
var loadBuiltin = sync.OnceValues(parseBuiltin)

func parseBuiltin() (*builtin, error) {
	s, err := parseSchema(schemaJSON)
	if err != nil {
		return nil, err
	}
	const path = "pipelines/xdr-data.yml"
	data, err := pipelineFiles.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := pipeline.Load("xql/"+path, data)
	if err != nil {
		return nil, fmt.Errorf("built-in pipeline xql/%s: %w", path, err)
	}
	return &builtin{pipelines: []*pipeline.Pipeline{p}, schema: s}, nil
}

// data returns the parsed embedded data. The data is compiled into the
// binary, so a broken file is a programming error, which
// TestEmbeddedDataLoads reports; here it panics, like regexp.MustCompile.
func data() *builtin {
	d, err := loadBuiltin()
	if err != nil {
		panic(err)
	}
	return d
}
