package io.callstream.ivr.flow;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A flow as users write, export and import it: a name, a kind and its nodes. The same document is
 * stored as a flow's draft and as each published version.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlowDocument(String name, FlowKind kind, String description, List<NodeDocument> nodes) {
}
