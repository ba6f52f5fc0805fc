package kql

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/sigconv/sigconv/backends/attack"
)

// The constraints below are those the Azure-Sentinel repository's template
// validation enforces on a scheduled analytic rule (.script/tests/
// detectionTemplateSchemaValidation): Models/AnalyticsTemplateInternalModelBase.cs
// (id a GUID, kind, name ≤ 256, description ≤ 5000),
// Models/ScheduledTemplateInternalModel.cs (severity, query 1–10000
// characters, queryFrequency and queryPeriod between 00:05:00 and
// 14.00:00:00, triggerThreshold 0–10000, entityMappings 1–5 with 1–3 field
// mappings each), ScheduledTemplateTimeSpanConverter.cs (spans are
// <number><m|h|d>), PeriodGreaterThanOrEqualFrequencyAttribute.cs,
// FrequencyLimitationForLongPeriodQuery (a period of 2 days or more runs at
// most hourly),
// NoTechniquesWithoutMatchingTactics.cs with KillChainTechniquesHelper.cs
// (every tactic of every technique is in tactics; see backends/attack),
// AttackTactic.cs (tactic names) and ValidEntityMappingsAttribute.cs with
// EntityMappingIdentifiers.cs (identifiers per entity type, one required
// identifier present, column names ^[a-zA-Z_]+\w*$, no identifier twice).

var (
	guid       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	shortSpan  = regexp.MustCompile(`^([1-9][0-9]*)([mhd])$`)
	columnName = regexp.MustCompile(`^[a-zA-Z_]+\w*$`)
	technique  = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
)

// sentinelSeverities and sentinelTactics are the validator's enums
// (Severity in ScheduledTemplateInternalModel.cs, AttackTactic.cs).
var (
	sentinelSeverities = map[string]bool{"Informational": true, "Low": true, "Medium": true, "High": true}
	sentinelTactics    = map[string]bool{
		"InitialAccess": true, "Execution": true, "Persistence": true, "PrivilegeEscalation": true,
		"DefenseEvasion": true, "CredentialAccess": true, "Discovery": true, "LateralMovement": true,
		"Collection": true, "Exfiltration": true, "CommandAndControl": true, "Impact": true,
		"Reconnaissance": true, "ResourceDevelopment": true, "ImpairProcessControl": true, "InhibitResponseFunction": true,
	}
	// entityIdentifiers: for the entity types sigconv maps, the valid
	// identifiers and the combinations of which one must be present.
	entityIdentifiers = map[string]struct{ valid, required []string }{
		"Host":    {[]string{"DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName", "AzureID", "OMSAgentID", "OSFamily", "OSVersion", "IsDomainJoined"}, []string{"FullName", "HostName", "NetBiosName", "AzureID", "OMSAgentID"}},
		"Account": {[]string{"Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId", "AadUserId", "PUID", "IsDomainJoined", "DisplayName", "ObjectGuid"}, []string{"FullName", "Sid", "Name", "AadUserId", "PUID", "ObjectGuid"}},
	}
)

// parseSpan reads a span the way the validator's converter does for the
// forms sigconv writes: a whole number of minutes, hours or days.
func parseSpan(s string) (time.Duration, error) {
	m := shortSpan.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a short time span such as 5m, 1h or 2d", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

// validate checks the analytic rule against the template validation's
// constraints and returns the first one it breaks.
func (a *analyticRule) validate() error {
	switch {
	case !guid.MatchString(a.ID):
		return fmt.Errorf("id %q is not a GUID (the rule's Sigma id becomes the template id)", a.ID)
	case a.Kind != "Scheduled":
		return fmt.Errorf("kind %q is not Scheduled", a.Kind)
	case a.Name == "" || len(a.Name) > 256:
		return fmt.Errorf("name must have 1 to 256 characters, has %d", len(a.Name))
	case a.Description == "" || len(a.Description) > 5000:
		return fmt.Errorf("description must have 1 to 5000 characters, has %d", len(a.Description))
	case !sentinelSeverities[a.Severity]:
		return fmt.Errorf("severity %q is not one of Informational, Low, Medium, High", a.Severity)
	case a.Query == "" || len(a.Query) > 10000:
		return fmt.Errorf("query must have 1 to 10000 characters, has %d", len(a.Query))
	case a.TriggerThreshold < 0 || a.TriggerThreshold > 10000:
		return fmt.Errorf("triggerThreshold %d is outside 0..10000", a.TriggerThreshold)
	case a.TriggerOperator != "gt":
		return fmt.Errorf("triggerOperator %q is not gt", a.TriggerOperator)
	}
	freq, err := parseSpan(a.QueryFrequency)
	if err != nil {
		return fmt.Errorf("queryFrequency: %v", err)
	}
	period, err := parseSpan(a.QueryPeriod)
	if err != nil {
		return fmt.Errorf("queryPeriod: %v", err)
	}
	for _, s := range []struct {
		name string
		d    time.Duration
	}{{"queryFrequency", freq}, {"queryPeriod", period}} {
		if s.d < 5*time.Minute || s.d > 14*24*time.Hour {
			return fmt.Errorf("%s %s is outside 5m..14d", s.name, s.d)
		}
	}
	if period < freq {
		return fmt.Errorf("queryPeriod %s is shorter than queryFrequency %s", a.QueryPeriod, a.QueryFrequency)
	}
	if period >= 48*time.Hour && freq < time.Hour {
		return fmt.Errorf("queryPeriod %s is 2 days or more, so queryFrequency %s must be at least 1h", a.QueryPeriod, a.QueryFrequency)
	}
	tactics := map[string]bool{}
	for _, t := range a.Tactics {
		if !sentinelTactics[t] {
			return fmt.Errorf("tactic %q is not a Sentinel tactic", t)
		}
		tactics[t] = true
	}
	for _, id := range a.RelevantTechniques {
		if !technique.MatchString(id) {
			return fmt.Errorf("technique %q is not of the form T1234 or T1234.001", id)
		}
		t, ok := attack.Lookup(id)
		if !ok {
			return fmt.Errorf("technique %s has no known tactics", id)
		}
		for _, tc := range t.Tactics {
			if !tactics[tc.Pascal] {
				return fmt.Errorf("technique %s belongs to tactic %s, which tactics does not list", id, tc.Pascal)
			}
		}
	}
	return validateEntities(a.EntityMappings)
}

func validateEntities(ms []entityMapping) error {
	if ms == nil {
		return nil // omitted: allowed
	}
	if len(ms) < 1 || len(ms) > 5 {
		return fmt.Errorf("entityMappings must have 1 to 5 entries, has %d", len(ms))
	}
	for _, m := range ms {
		ids, ok := entityIdentifiers[m.EntityType]
		if !ok {
			return fmt.Errorf("entity type %q is not one sigconv maps", m.EntityType)
		}
		if len(m.FieldMappings) < 1 || len(m.FieldMappings) > 3 {
			return fmt.Errorf("entity %s must have 1 to 3 field mappings, has %d", m.EntityType, len(m.FieldMappings))
		}
		used := map[string]bool{}
		for _, f := range m.FieldMappings {
			if !contains(ids.valid, f.Identifier) {
				return fmt.Errorf("identifier %q is not valid for entity %s", f.Identifier, m.EntityType)
			}
			if used[f.Identifier] {
				return fmt.Errorf("identifier %q is mapped twice in entity %s", f.Identifier, m.EntityType)
			}
			if len(f.ColumnName) > 500 || !columnName.MatchString(f.ColumnName) {
				return fmt.Errorf("column name %q of entity %s is not a plain column name", f.ColumnName, m.EntityType)
			}
			used[f.Identifier] = true
		}
		found := false
		for _, r := range ids.required {
			found = found || used[r]
		}
		if !found {
			return fmt.Errorf("entity %s maps none of its required identifiers (%v)", m.EntityType, ids.required)
		}
	}
	return nil
}
