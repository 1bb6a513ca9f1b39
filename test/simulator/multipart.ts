export interface MultipartPart {
	name: string;
	filename: string | null;
	contentType: string | null;
	data: Buffer;
}

/** The boundary of a multipart/form-data Content-Type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
	if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	return m ? (m[1] ?? m[2]).trim() : null;
}

/** A small multipart/form-data parser (enough for presigned uploads and useapi form posts). */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
	const delimiter = Buffer.from('--' + boundary);
	const parts: MultipartPart[] = [];
	let pos = body.indexOf(delimiter);
	if (pos < 0) throw new Error('multipart boundary not found');
	for (;;) {
		pos += delimiter.length;
		if (body.toString('latin1', pos, pos + 2) === '--') break; // closing delimiter
		if (body.toString('latin1', pos, pos + 2) === '\r\n') pos += 2;
		const headerEnd = body.indexOf('\r\n\r\n', pos);
		if (headerEnd < 0) throw new Error('malformed multipart part');
		const headerText = body.toString('utf8', pos, headerEnd);
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
		if (next < 0) throw new Error('unterminated multipart body');
		const headers: Record<string, string> = {};
		for (const line of headerText.split('\r\n')) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
		}
		const disposition = headers['content-disposition'] ?? '';
		const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
		const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
		parts.push({
			name,
			filename,
			contentType: headers['content-type'] ?? null,
			data: body.subarray(headerEnd + 4, next),
		});
		pos = next + 2;
	}
	return parts;
}
