import * as $protobuf from "protobufjs";
import Long = require("long");
/** Namespace shop. */
export namespace shop {

    /** Side enum. */
    enum Side {
        BUY = 0,
        SELL = 1
    }

    /** Properties of an Order. */
    interface IOrder {

        /** Order id */
        id?: (string|null);

        /** Order side */
        side?: (shop.Side|null);

        /** Order quantity */
        quantity?: (number|null);

        /** Order amountCents */
        amountCents?: (number|Long|null);

        /** Order price */
        price?: (number|null);

        /** Order tags */
        tags?: (string[]|null);
    }

    /** Represents an Order. */
    class Order implements IOrder {

        /**
         * Constructs a new Order.
         * @param [properties] Properties to set
         */
        constructor(properties?: shop.IOrder);

        /** Order id. */
        public id: string;

        /** Order side. */
        public side: shop.Side;

        /** Order quantity. */
        public quantity: number;

        /** Order amountCents. */
        public amountCents: (number|Long);

        /** Order price. */
        public price: number;

        /** Order tags. */
        public tags: string[];

        /**
         * Encodes the specified Order message. Does not implicitly {@link shop.Order.verify|verify} messages.
         * @param message Order message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: shop.IOrder, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes an Order message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Order
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): shop.Order;

        /**
         * Verifies an Order message.
         * @param message Plain object to verify
         * @returns `null` if valid, otherwise the reason why it is not
         */
        public static verify(message: { [k: string]: any }): (string|null);

        /**
         * Creates an Order message from a plain object. Also converts values to their respective internal types.
         * @param object Plain object
         * @returns Order
         */
        public static fromObject(object: { [k: string]: any }): shop.Order;

        /**
         * Creates a plain object from an Order message. Also converts values to other types if specified.
         * @param message Order
         * @param [options] Conversion options
         * @returns Plain object
         */
        public static toObject(message: shop.Order, options?: $protobuf.IConversionOptions): { [k: string]: any };

        /**
         * Converts this Order to JSON.
         * @returns JSON object
         */
        public toJSON(): { [k: string]: any };
    }
}
