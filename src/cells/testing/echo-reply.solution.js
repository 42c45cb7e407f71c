/**
 * What a `ws` server sends back for one message: `ws.on('message', (data,
 * isBinary) => { const reply = echoReply(data, isBinary); ws.send(reply.data, reply.options); })`.
 * `data` holds the message's bytes (a Uint8Array here, a Buffer in Node);
 * `isBinary` says whether it came as a binary frame.
 */
function echoReply(data, isBinary) {
  // ws sends bytes as binary unless told otherwise: keep the opcode the message came with.
  return { data, options: { binary: isBinary } };
}

echoReply(new TextEncoder().encode('héllo'), false);
