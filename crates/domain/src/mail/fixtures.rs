//! Real-looking mail for the tests: a purchase, a support conversation, a
//! forward, broken References, duplicate Message-IDs, an mbox.

/// Order confirmation: UTF-8 encoded-word subject, quoted-printable text,
/// an HTML alternative and a PDF invoice (77 bytes) in base64.
pub(super) const PURCHASE: &str = r#"Return-Path: <orders@northwind.example>
Received: from mx.northwind.example by mx.mail.example; Mon, 3 Nov 2025 10:15:02 +0100
From: "Northwind Outfitters" <orders@northwind.example>
To: Jane Doe <jane@mail.example>
Subject: =?UTF-8?Q?Your_order_=E2=84=96_1042_is_confirmed?=
Date: Mon, 3 Nov 2025 10:15:00 +0100
Message-ID: <order-1042.confirm@northwind.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Thank you for your order, Jane! Total: 129,00 =E2=82=AC incl. VAT. Delivery=
 to M=C3=BCnchen expected on Friday.

--alt
Content-Type: text/html; charset=utf-8

<html><body><p>Thank you for your order, <b>Jane</b>!</p></body></html>

--alt--

--outer
Content-Type: application/pdf; name="invoice-1042.pdf"
Content-Disposition: attachment; filename="invoice-1042.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAv
Um9vdCAxIDAgUiA+PgolJUVPRgo=

--outer--
"#;

/// Support conversation, message 1: the person writes in.
pub(super) const SUPPORT_1: &str = "From: Jane Doe <jane@mail.example>
To: Northwind Support <support@northwind.example>
Subject: Zipper broke on my jacket (order 1042)
Date: Tue, 11 Nov 2025 08:02:11 +0000
Message-ID: <CAJ7x-support-1@mail.example>
Content-Type: text/plain; charset=us-ascii

Hello, the zipper on the jacket from order 1042 broke after a week.
Can you help?

Jane
";

/// Support conversation, message 2: the agent answers (base64 body).
pub(super) const SUPPORT_2: &str = "From: Tom Baker <tom@support.northwind.example>
To: Jane Doe <jane@mail.example>
Cc: support@northwind.example
Subject: Re: Zipper broke on my jacket (order 1042)
Date: Tue, 11 Nov 2025 10:30:00 +0100
Message-ID: <case-88.1@support.northwind.example>
In-Reply-To: <CAJ7x-support-1@mail.example>
References: <CAJ7x-support-1@mail.example>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

SGkgSmFuZSwKClNvcnJ5IGFib3V0IHRoZSB6aXBwZXIuIFBsZWFzZSBzZW5kIHVzIGEgcGhvdG8g
YW5kIHdlIHdpbGwgc2hpcCBhCnJlcGxhY2VtZW50IHJpZ2h0IGF3YXkuCgpUb20KTm9ydGh3aW5k
IFN1cHBvcnQK
";

/// Support conversation, message 3: the person replies (Outlook-style `RE:`).
pub(super) const SUPPORT_3: &str = "From: Jane Doe <jane@mail.example>
To: Tom Baker <tom@support.northwind.example>
Subject: RE: Zipper broke on my jacket (order 1042)
Date: Tue, 11 Nov 2025 12:01:00 +0000
Message-ID: <CAJ7x-support-3@mail.example>
In-Reply-To: <case-88.1@support.northwind.example>
References: <CAJ7x-support-1@mail.example>
 <case-88.1@support.northwind.example>

Photo attached in the next mail. Thanks!
";

/// Support conversation, message 4: the agent closes with a case tag; its
/// References are folded oddly and lack the angle bracket on one id.
pub(super) const SUPPORT_4: &str = "From: Tom Baker <tom@support.northwind.example>
To: Jane Doe <jane@mail.example>
Subject: Re: [Case #88] Re: Zipper broke on my jacket (order 1042)
Date: Wed, 12 Nov 2025 09:00:00 +0000
Message-ID: <case-88.2@support.northwind.example>
In-Reply-To: <CAJ7x-support-3@mail.example>
References: <CAJ7x-support-1@mail.example> <case-88.1@support.northwind.example
 > <CAJ7x-support-3@mail.example>

A replacement ships today. Tracking: NW123456.
";

/// The person forwards the order confirmation to their partner.
pub(super) const FORWARDED: &str = "From: Jane Doe <jane@mail.example>
To: Sam Doe <sam@home.example>
Subject: Fwd: Your order =?UTF-8?B?4oSW?= 1042 is confirmed
Date: Mon, 3 Nov 2025 18:20:00 +0000
Message-ID: <CAJ7x-fwd@mail.example>
Content-Type: text/plain; charset=utf-8

FYI, the jacket is on its way.

---------- Forwarded message ---------
From: Northwind Outfitters <orders@northwind.example>
Date: Mon, 3 Nov 2025 at 10:15
Subject: Your order \u{2116} 1042 is confirmed
To: Jane Doe <jane@mail.example>

Thank you for your order, Jane!
";

/// A refund request with no references at all.
pub(super) const REFUND_ASK: &str = "From: Jane Doe <jane@mail.example>
To: refunds@northwind.example
Subject: Refund for order 1042
Date: Thu, 20 Nov 2025 09:00:00 +0000
Message-ID: <refund-ask@mail.example>

Please refund the gloves.
";

/// A reply whose References point nowhere and are partly garbage.
pub(super) const REFUND_REPLY_BROKEN_REFS: &str =
    "From: Northwind Refunds <refunds@northwind.example>
To: jane@mail.example
Subject: AW: Refund for order 1042
Date: Thu, 20 Nov 2025 15:00:00 +0000
Message-ID: <refund-reply@northwind.example>
In-Reply-To: the message of Thu, 20 Nov 2025
References: <lost-in-crm-7781@crm.northwind.example> <garbage

Your refund of 19,00 EUR is on its way.
";

/// A newsletter; [`DUPLICATE_ID_B`] reuses its Message-ID with other content.
pub(super) const DUPLICATE_ID_A: &str = "From: Northwind News <news@northwind.example>
To: jane@mail.example
Subject: [Northwind] Winter sale starts now
Date: Sat, 1 Nov 2025 07:00:00 +0000
Message-ID: <newsletter@northwind.example>

Winter sale: 30% off.
";

/// A second newsletter with the same Message-ID as [`DUPLICATE_ID_A`].
pub(super) const DUPLICATE_ID_B: &str = "From: Northwind News <news@northwind.example>
To: jane@mail.example
Subject: [Northwind] Last day of the winter sale
Date: Sat, 8 Nov 2025 07:00:00 +0000
Message-ID: <newsletter@northwind.example>

Last day!
";

/// An HTML-only shipping notice without a Message-ID.
pub(super) const HTML_ONLY: &str = "From: shipping@northwind.example
To: jane@mail.example
Subject: Your parcel is on its way
Date: Fri, 7 Nov 2025 11:00:00 -0500
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p { color: red; }</style></head>
<body><p>Your parcel <b>NW123456</b> left our warehouse.</p><p>Track it &amp; relax.</p></body></html>
";

/// An mbox (mboxrd) of five messages; the third has `>From ` lines.
pub(super) const MBOX_FIVE: &str = "From orders@northwind.example Mon Nov  3 09:15:00 2025
From: orders@northwind.example
To: jane@mail.example
Subject: Order 1
Date: Mon, 3 Nov 2025 09:15:00 +0000
Message-ID: <m1@northwind.example>

First.

From jane@mail.example Mon Nov  3 10:00:00 2025
From: jane@mail.example
To: orders@northwind.example
Subject: Re: Order 1
Date: Mon, 3 Nov 2025 10:00:00 +0000
Message-ID: <m2@mail.example>
In-Reply-To: <m1@northwind.example>

Second.

From orders@northwind.example Mon Nov  3 11:00:00 2025
From: orders@northwind.example
To: jane@mail.example
Subject: Re: Order 1
Date: Mon, 3 Nov 2025 11:00:00 +0000
Message-ID: <m3@northwind.example>
References: <m1@northwind.example> <m2@mail.example>

>From the warehouse: shipped.
>>From the quoted mail: hello.

From news@other.example Tue Nov  4 08:00:00 2025
From: news@other.example
To: jane@mail.example
Subject: Something else
Date: Tue, 4 Nov 2025 08:00:00 +0000
Message-ID: <m4@other.example>

Fourth.

From jane@mail.example Tue Nov  4 09:00:00 2025
From: jane@mail.example
To: news@other.example
Subject: Re: Something else
Date: Tue, 4 Nov 2025 09:00:00 +0000
Message-ID: <m5@mail.example>
In-Reply-To: <m4@other.example>

Fifth.
";

/// An mbox with one good message, one without a sender, one of binary noise.
pub(super) const MBOX_WITH_BROKEN: &str = "From a@northwind.example Mon Nov  3 09:15:00 2025
From: a@northwind.example
Subject: fine
Message-ID: <ok@northwind.example>

ok

From nobody Mon Nov  3 09:16:00 2025
Subject: who sent this?
Message-ID: <nofrom@northwind.example>

no sender

From noise Mon Nov  3 09:17:00 2025
\u{0}\u{1}\u{2}garbage\u{0}\u{ff}
";
