package kql

import (
	"embed"
	"fmt"
	"sync"

	"github.com/sigconv/sigconv/pipeline"
)

//go:embed pipelines/*.yml
var pipelineFiles embed.FS

// pipelineNames are the built-in pipelines, default first.
var pipelineNames = []string{"defender-xdr", "sentinel-asim", "sentinel-windows"}

// builtin is the target's embedded data, parsed: the built-in pipelines
// and the schemas of the tables they select.
type builtin struct {
	pipelines []*pipeline.Pipeline
	schemas   map[string]*schema
}

// loadBuiltin parses the embedded data once, at the target's first use
// rather than at start-up: a process converting to another target, or
// only listing targets, never pays for it (docs/speed.md).
var loadBuiltin = sync.OnceValues(parseBuiltin)

func parseBuiltin() (*builtin, error) {
	schemas, err := parseSchemas(schemaJSON)
	if err != nil {
		return nil, err
	}
	d := &builtin{schemas: schemas}
	for _, name := range pipelineNames {
		path := "pipelines/" + name + ".yml"
		data, err := pipelineFiles.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p, err := pipeline.Load("kql/"+path, data)
		if err != nil {
			return nil, fmt.Errorf("built-in pipeline kql/%s: %w", path, err)
		}
		d.pipelines = append(d.pipelines, p)
	}
	return d, nil
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
