const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const DOT_BYTE = Buffer.from('.');
const CRLF = Buffer.from('\r\n');
const LF_BYTE = Buffer.from('\n');

/**
 * A message as it goes after DATA (RFC 5321 §4.5.2): CRLF line ends, one more dot at the start
 * of every line that starts with a dot, and the final "." line. The same bytes as nodemailer's
 * DataStream (test/transports/data-section.test.ts compares them on arbitrary input), which
 * looks at every byte in JavaScript (a sixth of a notifier's busy time in a storm); here native
 * searches find the line ends, and only a line that needs a change is cut. Messages built by
 * build-message.ts have CRLF line ends already, so usually nothing is cut.
 */
export function dataSection(message: Buffer): Buffer {
  const pieces: Buffer[] = [];
  // Like DataStream, a message that starts with a dot gets one more.
  if (message[0] === DOT) pieces.push(DOT_BYTE);
  let from = 0;
  for (let lf = message.indexOf(LF); lf !== -1; lf = message.indexOf(LF, lf + 1)) {
    const bare = lf === 0 || message[lf - 1] !== CR;
    const dotNext = message[lf + 1] === DOT;
    if (!bare && !dotNext) continue;
    pieces.push(message.subarray(from, lf), bare ? CRLF : LF_BYTE);
    if (dotNext) pieces.push(DOT_BYTE);
    from = lf + 1;
  }
  pieces.push(from === 0 ? message : message.subarray(from), endMark(message[message.length - 1]));
  return Buffer.concat(pieces);
}

/** The final dot line, after whatever line end the message has or lacks (as DataStream ends it). */
function endMark(lastByte: number | undefined): Buffer {
  if (lastByte === LF) return Buffer.from('.\r\n');
  if (lastByte === CR) return Buffer.from('\n.\r\n');
  return Buffer.from('\r\n.\r\n');
}
