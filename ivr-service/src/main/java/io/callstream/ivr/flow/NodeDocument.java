package io.callstream.ivr.flow;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * One node: its id (unique in the flow), type (see {@link NodeType}), a label shown in key trails and
 * call records, its settings (checked per type by {@link FlowValidator}) and its exits, each naming
 * the node it leads to.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeDocument(String id, String type, String label, JsonNode settings, Map<String, String> exits) {
}
