/* SPDX-License-Identifier: MIT */
/*
 * The boot menu's console: ConOut and ConIn, plus the config's serial port
 * driven directly when the firmware's console does not already reach a
 * serial port (OVMF's does, so there we would print every line twice; a
 * PC's firmware often has no serial console at all).
 */
#include "loader.h"

#define UART_DATA 0 /* THR / RBR; DLL with DLAB */
#define UART_IER  1 /* DLM with DLAB */
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_SCR  7

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20

static uint16_t uart; /* 0: the firmware's console is all there is */

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static BOOLEAN has_uart(EFI_DEVICE_PATH *node)
{
	for (; node && !IsDevicePathEnd(node); node = NextDevicePathNode(node))
		if (DevicePathType(node) == MESSAGING_DEVICE_PATH &&
		    DevicePathSubType(node) == MSG_UART_DP)
			return TRUE;
	return FALSE;
}

/*
 * Is there a text console on a serial port? The firmware connects one (a
 * terminal on a UART) only where its ConOut variable says, and its ConOut
 * then writes there too. The variable alone is not proof: it outlives the
 * hardware it names, so look for a connected terminal instead.
 */
static BOOLEAN firmware_has_serial_console(void)
{
	EFI_HANDLE *handles;
	BOOLEAN found = FALSE;
	UINTN n;

	if (EFI_ERROR(LibLocateHandle(ByProtocol, &TextOutProtocol, NULL, &n, &handles)))
		return FALSE;
	for (UINTN i = 0; i < n && !found; i++)
		found = has_uart(DevicePathFromHandle(handles[i]));
	FreePool(handles);
	return found;
}

void con_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));

	uart = 0;
	if (firmware_has_serial_console())
		return;
	/* No UART there (the bus reads back 0xff): ConOut only. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, div & 0xff);
	outb(port + UART_IER, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0x07); /* enable and clear the FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
	uart = port;
}

static void uart_putc(char c)
{
	unsigned spins = 100000;

	while (!(inb(uart + UART_LSR) & LSR_THRE) && --spins)
		;
	outb(uart + UART_DATA, (uint8_t)c);
}

void con_print(const CHAR16 *fmt, ...)
{
	CHAR16 buf[256];
	va_list ap;

	/* libefi's VSPrint already turns \n into \r\n. */
	va_start(ap, fmt);
	VSPrint(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, buf);
	for (UINTN i = 0; uart && buf[i]; i++)
		uart_putc(buf[i] < 0x80 ? (char)buf[i] : '?');
}

int con_key(void)
{
	EFI_INPUT_KEY key;

	if (uart && (inb(uart + UART_LSR) & LSR_DR))
		return inb(uart + UART_DATA);
	if (uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key) == EFI_SUCCESS)
		return key.UnicodeChar ? key.UnicodeChar : 0x100 + key.ScanCode;
	return -1;
}
