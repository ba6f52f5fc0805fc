package spl

import (
	"embed"
	"fmt"
	"sync"

	"github.com/sigconv/sigconv/pipeline"
)

//go:embed pipelines/*.yml
var pipelineFiles embed.FS

// pipelineNames are the built-in pipelines, default first.
var pipelineNames = []string{"sysmon", "windows-security", "cim"}

// loadPipelines parses the built-in pipelines once, at the target's first
// use rather than at start-up: a process converting to another target, or
// only listing targets, never pays for them (docs/speed.md).
var loadPipelines = sync.OnceValues(parsePipelines)

func parsePipelines() ([]*pipeline.Pipeline, error) {
	var out []*pipeline.Pipeline
	for _, name := range pipelineNames {
		path := "pipelines/" + name + ".yml"
		data, err := pipelineFiles.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p, err := pipeline.Load("spl/"+path, data)
		if err != nil {
			return nil, fmt.Errorf("built-in pipeline spl/%s: %w", path, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// pipelines returns the parsed built-in pipelines. They are compiled into
// the binary, so a broken file is a programming error, which
// TestEmbeddedDataLoads reports; here it panics, like regexp.MustCompile.
func pipelines() []*pipeline.Pipeline {
	ps, err := loadPipelines()
	if err != nil {
		panic(err)
	}
	return ps
}
