package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;
import com.parchchat.protocol.signal.UserRef;

import java.util.List;

/**
 * A stored chat message.
 *
 * <p>Ids are assigned by the host at commit, increase strictly within a host, and are the keyset
 * for history paging; a client orders and de-duplicates by id. A client matches its own pending
 * send to the stored message by {@code nonce}.
 *
 * @param id        host-assigned, strictly increasing
 * @param author    the author as known when the message was served
 * @param nonce     the author's client nonce from {@code message.send} (idempotency key)
 * @param createdAt Unix epoch milliseconds
 * @param editedAt  Unix epoch milliseconds of the last edit, absent if never edited
 * @param replyTo   id of the message this one replies to, if any
 * @param mentions  user ids mentioned with {@code @username}
 */
public record Message(@JsonProperty(required = true) long id, String channelId, UserRef author, String nonce,
                      String content, @JsonProperty(required = true) long createdAt, Long editedAt, Long replyTo,
                      List<Reaction> reactions, List<String> mentions) {
    public Message {
        Require.present(channelId, "channelId");
        Require.present(author, "author");
        Require.present(content, "content");
        reactions = Require.listOrEmpty(reactions, "reactions");
        mentions = Require.listOrEmpty(mentions, "mentions");
    }
}
